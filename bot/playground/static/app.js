// The playground page: pick a persona, read what they see (polled from /api/state), act as they would
// (everything goes to the real bot as signed Slack requests), move the clock, read the timeline.
// As in Slack, a persona sees only the conversations they are in, every time in their own timezone, and
// the workspace's permalinks open the message here.

import { renderConversation, renderHome } from "./conversation.js";
import { inside, permalinkTarget } from "./links.js";
import { renderMailbox } from "./mailbox.js";
import { ModalView } from "./modal.js";
import { Timeline } from "./timeline.js";
import { inZone } from "./zone.js";

const $ = (id) => document.getElementById(id);
const POLL_MS = 600;
const PINNED_PX = 24; // this close to the bottom, a conversation stays scrolled to its newest message
const ui = {
  persona: new URLSearchParams(location.search).get("persona") || localStorage.getItem("persona"),
  tab: null, // a channel id, "dm" or "home"
  tabs: {}, // persona -> the conversation they last looked at, as Slack remembers it for each person
  version: null,
  state: null,
  offsetMs: 0,
  advancedMs: 0,
  openThreads: new Set(),
  replyDrafts: new Map(),
  images: new Map(), // file id -> <img>, reused so a loaded chart never shrinks back while redrawing
  seenDm: {},
  mailDraft: {},
  pollTimer: null,
  pinned: true, // the conversation follows new messages (the person has not scrolled up)
  autoScrollTop: null, // where the page itself last scrolled the conversation to
  shown: null, // which persona's which conversation the pane shows
  highlight: null, // the ts of the message a permalink opened
  goto: permalinkTarget(location.pathname, location.search), // a permalink to open once the state is in
};
const timeline = new Timeline($("timeline-list"), $("timeline-count"));
const modal = new ModalView($("overlay"), {
  submit: (viewId, values) => post("submit", { view_id: viewId, values }),
  close: (viewId) => post("close", { view_id: viewId }),
  act: (where, action) => post("action", { where, action }),
});

const simulatedNow = () => new Date(Date.now() + ui.offsetMs);

function notice(text, kind = "error") {
  const box = $("notice");
  box.textContent = text;
  box.className = kind;
  box.hidden = !text;
  clearTimeout(notice.timer);
  if (text) notice.timer = setTimeout(() => (box.hidden = true), 6000);
}

async function post(name, body = {}) {
  try {
    const response = await fetch(`/api/${name}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ persona: ui.persona, ...body }),
    });
    const answer = await response.json();
    if (!response.ok) notice(answer.error || `HTTP ${response.status}`);
    return answer;
  } catch (error) {
    notice(`The playground does not answer (${error.message}). Is it still running?`);
    return { error: String(error) };
  } finally {
    refresh();
  }
}

function refresh() {
  clearTimeout(ui.pollTimer);
  ui.pollTimer = setTimeout(poll, 0);
}

async function poll() {
  try {
    const query = new URLSearchParams({ persona: ui.persona || "", version: ui.version || "" });
    const response = await fetch(`/api/state?${query}`);
    const state = await response.json();
    if (!response.ok) {
      ui.persona = null; // someone the policy no longer names: start from the first persona
      ui.version = null;
      throw new Error(state.error || response.status);
    }
    ui.offsetMs = state.clock.offset_ms;
    ui.advancedMs = state.clock.advanced_ms;
    if (!state.unchanged) {
      ui.state = state;
      ui.version = state.version;
      ui.persona = state.persona;
      render();
      if (ui.goto) openPermalink(ui.goto);
    }
    await timeline.sync(ui.state.timeline);
    $("status").textContent = "";
  } catch (error) {
    $("status").textContent = `not connected (${error.message})`;
  }
  clearTimeout(ui.pollTimer);
  ui.pollTimer = setTimeout(poll, POLL_MS);
}

// The conversation the pane shows: {id, name, items} of a channel the persona is in, or of their DM.
function current() {
  const s = ui.state;
  if (ui.tab === "dm") return s.dm;
  return s.conversations.find((c) => c.id === ui.tab) || null;
}

function context() {
  const s = ui.state;
  return {
    users: s.users, channels: s.channels, bot: s.bot, now: simulatedNow, tz: s.tz, workspace: s.workspace,
    openThreads: ui.openThreads, replyDrafts: ui.replyDrafts, images: ui.images, rerender: render,
    act: (where, action) => post("action", { where, action }),
    reply: (threadTs, text) => post("message", { channel: current()?.id, text, thread_ts: threadTs }),
    openLink,
  };
}

function render() {
  const s = ui.state;
  if (!s) return;
  renderPersonas(s);
  const conversations = s.conversations;
  if (!["dm", "home", "mailbox"].includes(ui.tab) && !conversations.some((c) => c.id === ui.tab)) {
    ui.tab = conversations.length ? conversations[0].id : "dm"; // not (or no longer) in that channel
  }
  ui.tabs[s.persona] = ui.tab;
  renderTabs(s);
  const dmFromBot = s.dm.items.filter((i) => i.bot && !i.ephemeral).length;
  if (ui.tab === "dm") ui.seenDm[s.persona] = dmFromBot;
  const unread = dmFromBot - (ui.seenDm[s.persona] || 0);
  $("dm-badge").textContent = unread > 0 ? String(unread) : "";
  const shown = current();
  const [title, about] = ui.tab === "home" ? ["Secondline", "App Home"]
    : ui.tab === "dm" ? ["Secondline", "your messages with the bot"]
    : ui.tab === "mailbox" ? ["Mailbox", `customers' mail to and from ${s.mailbox ? s.mailbox.address : "the support address"}`]
    : [`# ${shown.name}`, shown.id === s.support_channel ? "the support channel: tickets, and their threads" : "a channel"];
  const small = document.createElement("small");
  small.textContent = about;
  $("pane-title").replaceChildren(title, small);

  const pane = $("conversation");
  const focus = rememberFocus();
  const where = `${s.persona} ${ui.tab}`;
  if (ui.shown !== where) ui.pinned = ui.tab !== "home" && !ui.highlight; // a conversation opens at its newest
  ui.shown = where;
  const ctx = context();
  const writing = ui.tab === "mailbox" && pane.contains(document.activeElement) && pane.dataset.shown === where;
  if (writing) {
    // Leave the form alone while someone types in it; the next render after they send shows the mails.
  } else if (ui.tab === "mailbox") pane.replaceChildren(renderMailbox(s.mailbox, ui.mailDraft, sendMail));
  else if (ui.tab === "home") pane.replaceChildren(renderHome(s.home, ctx));
  else pane.replaceChildren(renderConversation(shown.items, shown.id, ctx));
  pane.dataset.shown = where;
  if (ui.highlight) {
    const marked = pane.querySelector(`.message[data-ts="${CSS.escape(ui.highlight)}"]`);
    if (marked) marked.classList.add("highlighted");
  }
  followNewest();
  resizes.disconnect();
  if (pane.firstElementChild) resizes.observe(pane.firstElementChild);
  restoreFocus(focus);

  const composer = $("composer-text");
  $("composer").hidden = ui.tab === "home" || ui.tab === "mailbox";
  composer.placeholder = ui.tab === "dm"
    ? "Message Secondline (a reply here adds to your ticket that waits on you), or /support …"
    : `Message #${shown?.name || ""}, or type /support to raise a ticket, /support help for more`;
  modal.show(s.modal, ctx);
  timeline.zone(s.tz);
  renderClock();
}

// Keep the conversation at its newest message while the person has not scrolled up, also when it grows
// after drawing (a chart loading).
function followNewest() {
  const pane = $("conversation");
  if (!ui.pinned) return;
  pane.scrollTop = pane.scrollHeight;
  ui.autoScrollTop = pane.scrollTop;
}

const resizes = new ResizeObserver(followNewest);

$("conversation").addEventListener("scroll", () => {
  const pane = $("conversation");
  if (pane.scrollTop === ui.autoScrollTop) return; // the page's own scroll, not the person's
  ui.autoScrollTop = null;
  ui.pinned = pane.scrollTop + pane.clientHeight >= pane.scrollHeight - PINNED_PX;
});

async function sendMail(mail) {
  if (mail === null) {  // a Reply button filled the draft: show it
    document.activeElement?.blur();
    render();
    document.querySelector(".mail-body")?.focus();
    return;
  }
  const answer = await post("mail", mail);
  if (answer.ok) {
    ui.mailDraft = {};
    document.activeElement?.blur();
  }
}

function renderPersonas(s) {
  const picker = $("persona");
  const key = JSON.stringify(s.personas.map((p) => p.id));
  if (picker.dataset.key !== key) {
    picker.replaceChildren(...s.personas.map((p) => new Option(p.label, p.id)));
    picker.dataset.key = key;
  }
  picker.value = s.persona;
}

function renderTabs(s) {
  const box = $("channel-tabs");
  const key = JSON.stringify(s.conversations.map((c) => [c.id, c.name]));
  if (box.dataset.key !== key) {
    const buttons = s.conversations.map((c) => {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.tab = c.id;
      button.textContent = `# ${c.name}`;
      return button;
    });
    const heading = Object.assign(document.createElement("div"), { className: "section-title", textContent: "Channels" });
    box.replaceChildren(...(buttons.length ? [heading, ...buttons] : []));
    box.dataset.key = key;
  }
  for (const tab of document.querySelectorAll("[data-tab]")) tab.classList.toggle("active", tab.dataset.tab === ui.tab);
}

function rememberFocus() {
  const active = document.activeElement;
  if (!active || !active.classList.contains("reply-text")) return null;
  return { ts: active.closest(".message")?.dataset.ts, at: active.selectionStart };
}

function restoreFocus(focus) {
  if (!focus) return;
  const field = document.querySelector(`.message[data-ts="${CSS.escape(focus.ts)}"] .reply-text`);
  if (field) {
    field.focus();
    field.setSelectionRange(focus.at, focus.at);
  }
}

function renderClock() {
  if (!ui.state) return;
  const now = simulatedNow();
  const tz = ui.state.tz;
  const format = (zone) => inZone(now, zone, {
    weekday: "short", day: "numeric", month: "short", hour: "numeric", minute: "2-digit", timeZoneName: "short",
  });
  $("clock-zones").textContent = format(tz);
  const others = ui.state.zones.filter((zone) => zone !== tz).map((zone) => `${format(zone)} · ${zone}`);
  $("clock").title = [`Your time (${tz})`, ...(others.length ? ["The policy's calendars:", ...others] : [])].join("\n");
  const moved = Math.round(ui.advancedMs / 60000);
  const days = Math.floor(moved / 1440);
  $("clock-offset").textContent = moved > 0
    ? `moved on ${days ? days + " d " : ""}${Math.floor((moved % 1440) / 60)} h ${moved % 60} min, and running`
    : "running at real speed";
}

function showTab(tab) {
  ui.tab = tab;
  ui.highlight = null;
  if (location.pathname !== "/") history.pushState(null, "", `/${location.search}`);
  if (tab === "home") post("home");
  render();
  if (tab !== "home" && tab !== "mailbox") $("composer-text").focus();
}

// A permalink opened here: the message's conversation, its thread open, the message in view and marked.
function openPermalink(target) {
  ui.goto = null;
  const s = ui.state;
  const tab = target.channel === s.dm.id ? "dm" : s.conversations.some((c) => c.id === target.channel) ? target.channel : null;
  if (tab === null) {
    const name = s.channels[target.channel]?.name;
    notice(`That message is in ${name ? "#" + name + ", which" : "a conversation"} you are not in.`);
    return;
  }
  ui.tab = tab;
  if (target.thread && target.thread !== target.ts) ui.openThreads.add(target.thread);
  ui.highlight = target.ts;
  ui.pinned = false;
  render();
  const found = $("conversation").querySelector(`.message[data-ts="${CSS.escape(target.ts)}"]`);
  if (found) found.scrollIntoView({ block: "center" });
  else notice("That message is not there any more (deleted, or the playground was reset).");
}

function openLink(url) {
  const local = inside(url, ui.state?.workspace);
  if (local && local.startsWith("/archives/")) goTo(local);
  else window.open(local || url, "_blank", "noopener");
}

function goTo(path) {
  const at = new URL(path, location.href);
  history.pushState(null, "", at.pathname + at.search);
  const target = permalinkTarget(at.pathname, at.search);
  if (target && ui.state) openPermalink(target);
}

// Links to the workspace's messages (drawn as /archives/… by mrkdwn.js) open here, in this tab.
document.addEventListener("click", (event) => {
  const anchor = event.target.closest("a[href^='/archives/']");
  if (!anchor || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  goTo(anchor.getAttribute("href"));
});

window.addEventListener("popstate", () => {
  const target = permalinkTarget(location.pathname, location.search);
  if (target && ui.state) openPermalink(target);
});

$("persona").addEventListener("change", (event) => {
  ui.persona = event.target.value;
  ui.tab = ui.tabs[ui.persona] || null; // where they were, else their first channel (or their DM)
  localStorage.setItem("persona", ui.persona);
  ui.version = null;
  ui.openThreads.clear();
  ui.highlight = null;
  modal.clear();
  if (ui.tab === "home") post("home");
  refresh();
});

document.querySelector(".sidebar").addEventListener("click", (event) => {
  const tab = event.target.closest("[data-tab]");
  if (tab) showTab(tab.dataset.tab);
});

$("composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const field = $("composer-text");
  const text = field.value.trim();
  const shown = ui.state && current();
  if (!text || !shown) return;
  field.value = "";
  ui.pinned = true; // what you send, you see
  if (text.startsWith("/")) await post("command", { text, channel: shown.id });
  else await post("message", { text, channel: shown.id });
});

$("composer-text").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    $("composer").requestSubmit();
  }
});

for (const button of document.querySelectorAll("[data-move]")) {
  button.addEventListener("click", async () => {
    const buttons = document.querySelectorAll("[data-move]");
    buttons.forEach((b) => (b.disabled = true));
    notice("Moving the clock; what falls due on the way fires…", "info");
    const answer = await post("clock", { move: button.dataset.move });
    buttons.forEach((b) => (b.disabled = false));
    if (answer.ok) notice("");
  });
}

$("reset").addEventListener("click", async () => {
  if (!window.confirm("Start again? Tickets, messages and the clock's lead are all forgotten.")) return;
  ui.openThreads.clear();
  ui.replyDrafts.clear();
  ui.images.clear();
  ui.highlight = null;
  ui.seenDm = {};
  modal.clear();
  timeline.reset();
  await post("reset");
});

$("timeline-toggle").addEventListener("click", () => document.body.classList.toggle("timeline-hidden"));

setInterval(renderClock, 1000);
poll();
