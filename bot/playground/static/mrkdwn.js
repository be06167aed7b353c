// Slack's mrkdwn as DOM nodes: *bold*, _italic_, ~strike~, `code`, ```blocks```, > quotes, <@U…> mentions,
// <#C…> channels, <!date^…> dates (in the persona's timezone, relative to the simulated now), <url|label>
// links (the workspace's own open inside the playground), :emoji:. Every piece of text becomes a text
// node: &lt; shows as "<", never as HTML.

import { link } from "./links.js";
import { dayNumber, inZone, isoDay } from "./zone.js";

const EMOJI = {
  rotating_light: "🚨", warning: "⚠️", red_circle: "🔴", moneybag: "💰", mag: "🔍", paperclip: "📎",
  white_check_mark: "✅", heavy_check_mark: "✔️", x: "❌", clock1: "🕐", hourglass: "⌛", bell: "🔔",
  fire: "🔥", tada: "🎉", eyes: "👀", memo: "📝", chart_with_upwards_trend: "📈", calendar: "📅",
  telephone_receiver: "📞", lock: "🔒", information_source: "ℹ️", large_green_circle: "🟢",
  large_yellow_circle: "🟡", thumbsup: "👍", "+1": "👍", pushpin: "📌", sos: "🆘", zap: "⚡",
};

const MARK = "\uE000"; // stands for an extracted token (a code span or <markup>) inside the text
const FORMATS = [
  ["strong", /(^|[^\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])/],
  ["em", /(^|[^\w_])_(?=\S)([^_\n]*?\S)_(?![\w_])/],
  ["del", /(^|[^\w~])~(?=\S)([^~\n]*?\S)~(?![\w~])/],
];

export function decode(text) {
  return String(text).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

export function emojify(text) {
  return text.replace(/:([a-z0-9_+-]+):/g, (all, name) => EMOJI[name] || all);
}

export function plainText(text, emoji = true) {
  const span = document.createElement("span");
  span.textContent = emoji ? emojify(String(text ?? "")) : String(text ?? "");
  return span;
}

// ctx: {users: {U…: {name}}, channels: {C…: {name}}, now: () => Date, tz: "America/Chicago", workspace}
export function mrkdwn(text, ctx) {
  const root = document.createElement("span");
  root.className = "mrkdwn";
  const parts = String(text ?? "").split(/```([\s\S]*?)```/);
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      const pre = document.createElement("pre");
      pre.textContent = decode(part.replace(/^\n/, ""));
      root.append(pre);
    } else if (part) {
      root.append(...paragraphs(part, ctx));
    }
  });
  return root;
}

function paragraphs(text, ctx) {
  const nodes = [];
  let quote = null;
  text.split("\n").forEach((line, i) => {
    const quoted = line.match(/^(?:&gt;|>)\s?(.*)$/);
    if (quoted) {
      if (quote) {
        quote.append(document.createElement("br"));
      } else {
        quote = document.createElement("blockquote");
        nodes.push(quote);
      }
      quote.append(...inline(quoted[1], ctx));
      return;
    }
    if (quote) quote = null; // a quote is a block: the next line starts below it anyway
    else if (i > 0) nodes.push(document.createElement("br"));
    nodes.push(...inline(line, ctx));
  });
  return nodes;
}

function inline(text, ctx) {
  const tokens = [];
  const masked = text
    .replace(/`([^`\n]+)`/g, (all, code) => {
      tokens.push({ code });
      return MARK + (tokens.length - 1) + MARK;
    })
    .replace(/<([^<>\n]+)>/g, (all, inner) => {
      tokens.push({ markup: inner });
      return MARK + (tokens.length - 1) + MARK;
    });
  return formatted(masked, tokens, ctx);
}

function formatted(text, tokens, ctx) {
  let best = null;
  for (const [tag, pattern] of FORMATS) {
    const match = pattern.exec(text);
    if (match && (best === null || match.index < best.match.index)) best = { tag, match };
  }
  if (best === null) return plainNodes(text, tokens, ctx);
  const { tag, match } = best;
  const start = match.index + match[1].length;
  const element = document.createElement(tag);
  element.append(...formatted(match[2], tokens, ctx));
  return [
    ...plainNodes(text.slice(0, start), tokens, ctx),
    element,
    ...formatted(text.slice(start + match[2].length + 2), tokens, ctx),
  ];
}

function plainNodes(text, tokens, ctx) {
  const nodes = [];
  text.split(new RegExp(`${MARK}(\\d+)${MARK}`)).forEach((piece, i) => {
    if (i % 2 === 0) {
      if (piece) nodes.push(document.createTextNode(emojify(decode(piece))));
      return;
    }
    const token = tokens[Number(piece)];
    if (token.code !== undefined) {
      const code = document.createElement("code");
      code.textContent = decode(token.code);
      nodes.push(code);
    } else {
      nodes.push(markup(token.markup, ctx));
    }
  });
  return nodes;
}

function markup(inner, ctx) {
  const [target, ...rest] = inner.split("|");
  const label = rest.join("|");
  const span = document.createElement("span");
  if (target.startsWith("@")) {
    const user = (ctx.users || {})[target.slice(1)];
    span.className = "mention";
    span.textContent = "@" + (user ? user.name : label || target.slice(1));
    if (user && user.real_name) span.title = user.real_name;
    return span;
  }
  if (target.startsWith("#")) {
    const channel = (ctx.channels || {})[target.slice(1)];
    span.className = "mention";
    span.textContent = "#" + (channel ? channel.name : label || target.slice(1));
    return span;
  }
  if (target.startsWith("!date^")) return slackDate(target, label, ctx);
  if (target.startsWith("!")) {
    const name = target.slice(1).split("^")[0];
    span.className = "mention";
    span.textContent = ["here", "channel", "everyone"].includes(name) ? "@" + name : decode(label || "@" + name);
    return span;
  }
  if (/^(https?:\/\/|mailto:)/i.test(target)) {
    const anchor = link(decode(target), ctx.workspace);
    anchor.textContent = emojify(decode(label || target));
    return anchor;
  }
  span.textContent = decode(`<${inner}>`);
  return span;
}

function slackDate(target, fallback, ctx) {
  // <!date^UNIX^{tokens}[^link]|fallback>
  const [, stamp, format = "", url] = target.split("^");
  const at = new Date(Number(stamp) * 1000);
  const span = url && /^https?:\/\//.test(url) ? link(decode(url), ctx.workspace) : document.createElement("time");
  if (Number.isNaN(at.getTime())) {
    span.textContent = decode(fallback);
    return span;
  }
  span.classList.add("slack-date");
  span.textContent = decode(format).replace(/\{(\w+)\}/g, (all, token) => dateToken(token, at, ctx) ?? all);
  const full = inZone(at, ctx.tz, { dateStyle: "full", timeStyle: "long" });
  span.title = `${full} (fallback: ${decode(fallback)})`;
  return span;
}

function ordinal(n) {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : ["th", "st", "nd", "rd"][n % 10] || "th";
  return n + suffix;
}

function dateToken(token, at, ctx) {
  const now = ctx.now ? ctx.now() : new Date();
  const part = (options) => inZone(at, ctx.tz, options);
  const day = Number(part({ day: "numeric" }));
  const year = part({ year: "numeric" });
  const long = `${part({ month: "long" })} ${ordinal(day)}, ${year}`;
  const short = `${part({ month: "short" })} ${day}, ${year}`;
  const weekday = part({ weekday: "long" });
  const pretty = (otherwise) => {
    const days = dayNumber(at, ctx.tz) - dayNumber(now, ctx.tz);
    return { "-1": "yesterday", 0: "today", 1: "tomorrow" }[days] ?? otherwise;
  };
  const time = (secs) => part({ hour: "numeric", minute: "2-digit", ...(secs ? { second: "2-digit" } : {}) });
  switch (token) {
    case "date_num": return isoDay(at, ctx.tz);
    case "date": return long;
    case "date_short": return short;
    case "date_long": return `${weekday}, ${long}`;
    case "date_pretty": return pretty(long);
    case "date_short_pretty": return pretty(short);
    case "date_long_pretty": return pretty(`${weekday}, ${long}`);
    case "time": return time(false);
    case "time_secs": return time(true);
    case "ago": return ago(at, now);
    default: return null;
  }
}

function ago(at, now) {
  const minutes = Math.round((now - at) / 60000);
  const size = Math.abs(minutes);
  const [value, unit] =
    size < 60 ? [size, "minute"] : size < 1440 ? [Math.round(size / 60), "hour"] : [Math.round(size / 1440), "day"];
  const amount = `${value} ${unit}${value === 1 ? "" : "s"}`;
  if (size === 0) return "just now";
  return minutes > 0 ? `${amount} ago` : `in ${amount}`;
}
