// The playground page: pick a persona, read what they see (polled from /api/state), act as they would
// (everything goes to the real bot as signed Slack requests), move the clock, read the timeline.

import { renderConversation, renderHome } from "./conversation.js";
import { renderMailbox } from "./mailbox.js";
import { ModalView } from "./modal.js";
import { Timeline } from "./timeline.js";

const $ = (id) => document.getElementById(id);
const POLL_MS = 600;
const ui = {
  persona: new URLSearchParams(location.search).get("persona") || localStorage.getItem("persona"),
  tab: "channel",
  version: null,
  state: null,
  offsetMs: 0,
  advancedMs: 0,
  openThreads: new Set(),
  replyDrafts: new Map(),
  seenDm: {},
  mailDraft: {},
  pollTimer: null,
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
    }
    await timeline.sync(ui.state.timeline);
    $("status").textContent = "";
  } catch (error) {
    $("status").textContent = `not connected (${error.message})`;
  }
  clearTimeout(ui.pollTimer);
  ui.pollTimer = setTimeout(poll, POLL_MS);
}

function context() {
  const s = ui.state;
  return {
    users: s.users, channels: s.channels, bot: s.bot, now: simulatedNow,
    openThreads: ui.openThreads, replyDrafts: ui.replyDrafts, rerender: render,
    act: (where, action) => post("action", { where, action }),
    reply: (threadTs, text) => post("message", { channel: s.support.id, text, thread_ts: threadTs }),
  };
}

function render() {
  const s = ui.state;
  if (!s) return;
  renderPersonas(s);
  const dmFromBot = s.dm.items.filter((i) => i.bot && !i.ephemeral).length;
  if (ui.tab === "dm") ui.seenDm[s.persona] = dmFromBot;
  const unread = dmFromBot - (ui.seenDm[s.persona] || 0);
  $("dm-badge").textContent = unread > 0 ? String(unread) : "";
  $("support-name").textContent = s.support.name;
  for (const tab of document.querySelectorAll("[data-tab]")) tab.classList.toggle("active", tab.dataset.tab === ui.tab);
  const titles = {
    channel: [`# ${s.support.name}`, "the support channel: tickets, and their threads"],
    dm: ["Secondline", "your messages with the bot"],
    home: ["Secondline", "App Home"],
    mailbox: ["Mailbox", `customers' mail to and from ${s.mailbox ? s.mailbox.address : "the support address"}`],
  };
  const [title, about] = titles[ui.tab];
  const small = document.createElement("small");
  small.textContent = about;
  $("pane-title").replaceChildren(title, small);
  const pane = $("conversation");
  const focus = rememberFocus();
  const atBottom = pane.scrollTop + pane.clientHeight >= pane.scrollHeight - 24 || pane.dataset.shown !== ui.tab + s.persona;
  const ctx = context();
  const writing = ui.tab === "mailbox" && pane.contains(document.activeElement) && pane.dataset.shown === ui.tab + s.persona;
  if (writing) {
    // Leave the form alone while someone types in it; the next render after they send shows the mails.
  } else if (ui.tab === "mailbox") pane.replaceChildren(renderMailbox(s.mailbox, ui.mailDraft, sendMail));
  else if (ui.tab === "home") pane.replaceChildren(renderHome(s.home, ctx));
  else if (ui.tab === "dm") pane.replaceChildren(renderConversation(s.dm.items, s.dm.id, ctx));
  else pane.replaceChildren(renderConversation(s.support.items, s.support.id, ctx));
  if (atBottom) pane.scrollTop = pane.scrollHeight;
  pane.dataset.shown = ui.tab + s.persona;
  restoreFocus(focus);
  const composer = $("composer-text");
  $("composer").hidden = ui.tab === "home" || ui.tab === "mailbox";
  composer.placeholder = ui.tab === "dm"
    ? "Message Secondline (a reply here adds to your ticket that waits on you), or /support …"
    : `Message #${s.support.name}, or type /support to raise a ticket, /support help for more`;
  modal.show(s.modal, ctx);
  renderClock();
}

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
  const format = (zone) =>
    now.toLocaleString("en-GB", {
      timeZone: zone, weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZoneName: "short",
    });
  const lines = ui.state.zones.map((zone) => `${format(zone)} · ${zone}`);
  $("clock-zones").replaceChildren(...lines.map((line) => Object.assign(document.createElement("div"), { textContent: line })));
  const moved = Math.round(ui.advancedMs / 60000);
  const days = Math.floor(moved / 1440);
  $("clock-offset").textContent = moved > 0
    ? `moved on ${days ? days + " d " : ""}${Math.floor((moved % 1440) / 60)} h ${moved % 60} min, and running`
    : "running at real speed";
}

function showTab(tab) {
  ui.tab = tab;
  if (tab === "home") post("home");
  render();
  if (tab !== "home" && tab !== "mailbox") $("composer-text").focus();
}

$("persona").addEventListener("change", (event) => {
  ui.persona = event.target.value;
  localStorage.setItem("persona", ui.persona);
  ui.version = null;
  ui.openThreads.clear();
  modal.clear();
  if (ui.tab === "home") post("home");
  refresh();
});

for (const tab of document.querySelectorAll("[data-tab]")) tab.addEventListener("click", () => showTab(tab.dataset.tab));

$("composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const field = $("composer-text");
  const text = field.value.trim();
  if (!text || !ui.state) return;
  const channel = ui.tab === "dm" ? ui.state.dm.id : ui.state.support.id;
  field.value = "";
  if (text.startsWith("/")) await post("command", { text, channel });
  else await post("message", { text, channel });
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
  ui.seenDm = {};
  modal.clear();
  timeline.reset();
  await post("reset");
});

$("timeline-toggle").addEventListener("click", () => document.body.classList.toggle("timeline-hidden"));

setInterval(renderClock, 1000);
poll();
