// A conversation as the persona sees it: messages oldest first (the bot's Block Kit, people's text), each
// thread folded under its message with a reply box, private answers marked "Only visible to you".

import { renderBlocks } from "./blockkit.js";
import { StateBag } from "./elements.js";
import { mrkdwn } from "./mrkdwn.js";
import { inZone } from "./zone.js";

function el(tag, className, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.append(...children);
  return node;
}

function when(iso, tz) {
  if (!iso) return "";
  return inZone(new Date(iso), tz, { weekday: "short", hour: "numeric", minute: "2-digit" });
}

function author(item, ctx) {
  if (item.user === "USLACKBOT") return el("span", "author", "Slackbot");
  if (item.bot) return el("span", "author", "Secondline", el("span", "app-badge", "APP"));
  const user = (ctx.users || {})[item.user];
  return el("span", "author", user ? user.name : item.user || "someone");
}

// ctx: {users, channels, bot, now, tz, workspace, act(where, action), reply(thread_ts, text), openThreads: Set,
//       images: Map (file id -> its <img>, kept across redraws so a loaded chart keeps its height)}
export function renderConversation(items, channel, ctx) {
  const list = el("div", "messages");
  if (!items.length) list.append(el("p", "empty", "Nothing here yet."));
  for (const item of items) list.append(message(item, channel, ctx, true));
  return list;
}

function message(item, channel, ctx, threaded) {
  const node = el("div", `message${item.bot ? " from-bot" : ""}${item.ephemeral ? " ephemeral" : ""}`);
  node.dataset.ts = item.ts;
  const meta = el("div", "meta", author(item, ctx), el("time", "", when(item.at, ctx.tz)));
  if (item.edited) meta.append(el("span", "edited", "(edited)"));
  if (item.ephemeral) meta.append(el("span", "only-you", "Only visible to you"));
  node.append(meta);
  const state = new StateBag();
  const where = { surface: item.ephemeral ? "ephemeral" : "message", channel, ts: item.ts };
  const blockCtx = { ...ctx, state, onAction: (action) => ctx.act({ ...where, state: state.values() }, action) };
  if (item.blocks && item.blocks.length) node.append(renderBlocks(item.blocks, blockCtx));
  else if (item.text) node.append(el("div", "text", mrkdwn(item.text, ctx)));
  if (item.attachments && item.attachments.length) {
    const pre = el("pre", "bk-unknown");
    pre.textContent = `legacy attachments, not drawn: ${JSON.stringify(item.attachments, null, 2)}`;
    node.append(pre);
  }
  if (item.files && item.files.length) node.append(files(item.files, ctx));
  // Threads are where the support channel talks about a ticket; in a DM the bot reads replies as DMs.
  const threads = !channel.startsWith("D") || (item.replies || []).length;
  if (threaded && threads && !item.ephemeral) node.append(thread(item, channel, ctx));
  return node;
}

function files(list, ctx) {
  const box = el("div", "files");
  for (const file of list) {
    const url = `/api/files/${encodeURIComponent(file.id)}`;
    const link = el("a", "file", `📎 ${file.title || file.name}`);
    link.href = url;
    link.target = "_blank";
    box.append(link);
    if ((file.mimetype || "").startsWith("image/")) {
      let image = ctx.images && ctx.images.get(file.id);
      if (!image) {
        image = el("img", "file-image");
        image.src = url;
        image.alt = file.title || file.name;
        if (ctx.images) ctx.images.set(file.id, image);
      }
      box.append(image);
    }
  }
  return box;
}

function thread(item, channel, ctx) {
  const box = el("div", "thread");
  const replies = item.replies || [];
  const open = ctx.openThreads.has(item.ts);
  const toggle = el("button", "thread-toggle link",
    replies.length ? `${replies.length} repl${replies.length === 1 ? "y" : "ies"}` : "Reply in thread");
  toggle.type = "button";
  toggle.addEventListener("click", () => {
    if (open) ctx.openThreads.delete(item.ts);
    else ctx.openThreads.add(item.ts);
    ctx.rerender();
  });
  box.append(toggle);
  if (!open) return box;
  const body = el("div", "thread-body");
  for (const reply of replies) body.append(message(reply, channel, ctx, false));
  const form = el("form", "reply");
  const field = el("input", "reply-text");
  field.placeholder = "Reply…";
  field.value = ctx.replyDrafts.get(item.ts) || "";
  field.addEventListener("input", () => ctx.replyDrafts.set(item.ts, field.value));
  const send = el("button", "", "Reply");
  send.type = "submit";
  form.append(field, send);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!field.value.trim()) return;
    ctx.reply(item.ts, field.value);
    ctx.replyDrafts.delete(item.ts);
    field.value = "";
  });
  body.append(form);
  box.append(body);
  return box;
}

export function renderHome(view, ctx) {
  if (!view) return el("p", "empty", "Opening App Home…");
  const state = new StateBag();
  const blockCtx = {
    ...ctx,
    state,
    onAction: (action) => ctx.act({ surface: "home", state: state.values() }, action),
  };
  return el("div", "home", renderBlocks(view.blocks, blockCtx));
}
