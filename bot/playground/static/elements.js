// Block Kit's interactive elements: buttons, selects (static, users, conversations, overflow), radio
// buttons, checkboxes, text inputs, date and time pickers. Each stateful element reports its value in the
// shape Slack puts in state.values; in messages, App Home and actions blocks a change is a block action.

import { mrkdwn, plainText } from "./mrkdwn.js";

export class StateBag {
  // Every stateful element on a surface: "block\0action" -> {block_id, action_id, read()}.
  constructor(drafts = new Map()) {
    this.entries = new Map();
    this.drafts = drafts; // values typed before a re-render of the same view, kept as Slack keeps them
  }
  add(blockId, actionId, read) {
    this.entries.set(`${blockId}\0${actionId}`, { blockId, actionId, read });
  }
  draft(blockId, actionId) {
    return this.drafts.get(`${blockId}\0${actionId}`);
  }
  values() {
    const values = {};
    for (const { blockId, actionId, read } of this.entries.values()) {
      (values[blockId] ||= {})[actionId] = read();
    }
    return values;
  }
  snapshot() {
    const drafts = new Map();
    for (const [key, { read }] of this.entries) drafts.set(key, read());
    return drafts;
  }
}

const text = (part) => (part && typeof part === "object" ? part.text ?? "" : String(part ?? ""));
const clone = (value) => (value == null ? null : JSON.parse(JSON.stringify(value)));

function optionLabel(option, ctx) {
  const label = option.text || {};
  const node = label.type === "mrkdwn" ? mrkdwn(label.text, ctx) : plainText(label.text);
  if (option.description) {
    const small = document.createElement("small");
    small.append(" ", option.description.type === "mrkdwn" ? mrkdwn(option.description.text, ctx) : plainText(option.description.text));
    node.append(small);
  }
  return node;
}

function allOptions(element) {
  return element.option_groups ? element.option_groups.flatMap((g) => g.options || []) : element.options || [];
}

function people(ctx) {
  return Object.entries(ctx.users || {})
    .filter(([id]) => id !== ctx.bot && id !== "USLACKBOT")
    .sort((a, b) => a[1].name.localeCompare(b[1].name))
    .map(([id, user]) => ({ value: id, label: `@${user.name}${user.real_name ? " — " + user.real_name : ""}` }));
}

function conversations(ctx) {
  return Object.entries(ctx.channels || {}).map(([id, c]) => ({ value: id, label: "#" + c.name }));
}

function select(choices, { placeholder, multiple, chosen }) {
  const box = document.createElement("select");
  box.multiple = Boolean(multiple);
  if (!multiple) {
    const none = new Option(placeholder || "Choose…", "");
    none.disabled = true;
    box.append(none);
  }
  const wanted = new Set([].concat(chosen ?? []));
  for (const choice of choices) {
    if (choice.group) {
      const group = document.createElement("optgroup");
      group.label = choice.group;
      for (const c of choice.options) group.append(new Option(c.label, c.value, false, wanted.has(c.value)));
      box.append(group);
    } else {
      box.append(new Option(choice.label, choice.value, false, wanted.has(choice.value)));
    }
  }
  if (!multiple && !wanted.size) box.value = "";
  return box;
}

// One element. `input`: inside an input block of a modal (its value is submitted, not dispatched).
export function element(el, blockId, ctx, { input = false } = {}) {
  const actionId = el.action_id || `${blockId}-${el.type}`;
  const draft = ctx.state ? ctx.state.draft(blockId, actionId) : undefined;
  const dispatch = (payload) => {
    if (!input && ctx.onAction) ctx.onAction({ type: el.type, action_id: actionId, block_id: blockId, ...payload });
  };
  const register = (read) => ctx.state && ctx.state.add(blockId, actionId, read);
  switch (el.type) {
    case "button": {
      const button = document.createElement("button");
      button.type = "button";
      button.className = `bk-button ${el.style || ""}`;
      button.append(plainText(text(el.text)));
      button.addEventListener("click", () => {
        if (el.confirm && !window.confirm(`${text(el.confirm.title)}\n\n${text(el.confirm.text)}`)) return;
        if (el.url && ctx.openLink) ctx.openLink(el.url); // a link button opens its URL and is still an action
        dispatch({ text: clone(el.text), ...(el.value !== undefined ? { value: el.value } : {}) });
      });
      return button;
    }
    case "static_select": case "external_select": case "multi_static_select": case "overflow": {
      const multiple = el.type.startsWith("multi_");
      const options = allOptions(el);
      const choices = el.option_groups
        ? el.option_groups.map((g) => ({ group: text(g.label), options: (g.options || []).map((o) => ({ value: o.value, label: text(o.text) })) }))
        : options.map((o) => ({ value: o.value, label: text(o.text) }));
      const initial = draft ? (multiple ? (draft.selected_options || []).map((o) => o.value) : draft.selected_option?.value)
        : multiple ? (el.initial_options || []).map((o) => o.value) : el.initial_option?.value;
      const box = select(choices, { placeholder: el.type === "overflow" ? "⋯" : text(el.placeholder), multiple, chosen: initial });
      const picked = () => options.filter((o) => [...box.selectedOptions].some((s) => s.value === o.value)).map(clone);
      const read = () => (multiple ? { type: el.type, selected_options: picked() } : { type: el.type, selected_option: picked()[0] || null });
      if (el.type !== "overflow") register(read);
      box.addEventListener("change", () => dispatch(multiple ? { selected_options: picked() } : { selected_option: picked()[0] || null }));
      return box;
    }
    case "users_select": case "multi_users_select": case "conversations_select": case "channels_select":
    case "multi_conversations_select": case "multi_channels_select": {
      const multiple = el.type.startsWith("multi_");
      const kind = el.type.replace("multi_", "").replace("_select", ""); // users, conversations, channels
      const field = { users: "user", conversations: "conversation", channels: "channel" }[kind];
      const key = multiple ? `selected_${field}s` : `selected_${field}`;
      const initial = draft ? draft[key] : el[multiple ? `initial_${field}s` : `initial_${field}`];
      const box = select(kind === "users" ? people(ctx) : conversations(ctx), { placeholder: text(el.placeholder), multiple, chosen: initial });
      const read = () => ({ type: el.type, [key]: multiple ? [...box.selectedOptions].map((o) => o.value) : box.value || null });
      register(read);
      box.addEventListener("change", () => dispatch({ [key]: read()[key] }));
      return box;
    }
    case "radio_buttons": case "checkboxes": {
      const many = el.type === "checkboxes";
      const options = el.options || [];
      const chosen = new Set(draft ? (many ? (draft.selected_options || []).map((o) => o.value) : [draft.selected_option?.value])
        : many ? (el.initial_options || []).map((o) => o.value) : [el.initial_option?.value]);
      const group = document.createElement("div");
      group.className = "bk-choices";
      const name = `${blockId}-${actionId}-${Math.random().toString(36).slice(2)}`;
      const boxes = options.map((o) => {
        const label = document.createElement("label");
        const box = document.createElement("input");
        box.type = many ? "checkbox" : "radio";
        box.name = name;
        box.value = o.value;
        box.checked = chosen.has(o.value);
        label.append(box, optionLabel(o, ctx));
        group.append(label);
        return box;
      });
      const picked = () => options.filter((o, i) => boxes[i].checked).map(clone);
      const read = () => (many ? { type: el.type, selected_options: picked() } : { type: el.type, selected_option: picked()[0] || null });
      register(read);
      group.addEventListener("change", () => dispatch(many ? { selected_options: picked() } : { selected_option: picked()[0] || null }));
      return group;
    }
    case "plain_text_input": case "number_input": case "email_text_input": case "url_text_input": {
      const field = el.multiline ? document.createElement("textarea") : document.createElement("input");
      if (!el.multiline) field.type = { number_input: "number", email_text_input: "email", url_text_input: "url" }[el.type] || "text";
      field.value = draft ? draft.value ?? "" : el.initial_value ?? "";
      if (el.placeholder) field.placeholder = text(el.placeholder);
      if (el.max_length) field.maxLength = el.max_length;
      register(() => ({ type: el.type, value: field.value === "" ? null : field.value }));
      return field;
    }
    case "datepicker": case "timepicker": {
      const field = document.createElement("input");
      field.type = el.type === "datepicker" ? "date" : "time";
      const key = el.type === "datepicker" ? "selected_date" : "selected_time";
      field.value = (draft ? draft[key] : el.type === "datepicker" ? el.initial_date : el.initial_time) || "";
      const read = () => ({ type: el.type, [key]: field.value || null });
      register(read);
      field.addEventListener("change", () => dispatch({ [key]: read()[key] }));
      return field;
    }
    case "image": {
      const alt = document.createElement("span");
      alt.className = "bk-image-alt";
      alt.textContent = `[image: ${el.alt_text || "no description"}]`;
      return alt;
    }
    default:
      return unknown(el, `element "${el.type}"`);
  }
}

// What the renderer does not know is shown as its JSON, never dropped.
export function unknown(part, what) {
  const details = document.createElement("details");
  details.className = "bk-unknown";
  details.open = true;
  const summary = document.createElement("summary");
  summary.textContent = `${what} is not drawn by the playground; its JSON:`;
  const pre = document.createElement("pre");
  pre.textContent = JSON.stringify(part, null, 2);
  details.append(summary, pre);
  return details;
}
