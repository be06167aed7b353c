// Block Kit blocks as the bot sends them: section (text, fields, accessory), context, actions, input,
// header, divider, image. Anything else is shown as its JSON (see elements.js), never dropped silently.

import { element, unknown } from "./elements.js";
import { mrkdwn, plainText } from "./mrkdwn.js";

function textObject(part, ctx) {
  if (!part || typeof part !== "object") return unknown(part, "a text object");
  if (part.type === "mrkdwn") return mrkdwn(part.text, ctx);
  if (part.type === "plain_text") return plainText(part.text, part.emoji !== false);
  return unknown(part, `text of type "${part.type}"`);
}

function div(className, ...children) {
  const node = document.createElement("div");
  node.className = className;
  node.append(...children);
  return node;
}

// ctx: {users, channels, bot, now, state: StateBag, onAction(action), errors: {block_id: message}}
export function renderBlocks(blocks, ctx) {
  const root = div("blocks");
  (blocks || []).forEach((block, index) => {
    const blockId = block.block_id || `block-${index}`;
    let node;
    try {
      node = renderBlock(block, blockId, ctx);
    } catch (error) {
      node = unknown(block, `block "${block.type}" (${error.message})`);
    }
    node.dataset.blockId = blockId;
    root.append(node);
  });
  return root;
}

function renderBlock(block, blockId, ctx) {
  switch (block.type) {
    case "section": {
      const node = div("bk-section");
      const body = div("bk-section-body");
      if (block.text) body.append(div("bk-text", textObject(block.text, ctx)));
      if (block.fields) body.append(div("bk-fields", ...block.fields.map((f) => div("bk-field", textObject(f, ctx)))));
      node.append(body);
      if (block.accessory) node.append(div("bk-accessory", element(block.accessory, blockId, ctx)));
      return node;
    }
    case "context":
      return div("bk-context", ...(block.elements || []).map((e) =>
        e.type === "mrkdwn" || e.type === "plain_text" ? textObject(e, ctx) : element(e, blockId, ctx)));
    case "actions":
      return div("bk-actions", ...(block.elements || []).map((e) => element(e, blockId, ctx)));
    case "header": {
      const node = document.createElement("h3");
      node.className = "bk-header";
      node.append(textObject(block.text, ctx));
      return node;
    }
    case "divider":
      return document.createElement("hr");
    case "image": {
      const node = div("bk-image");
      node.textContent = `[image${block.title ? ": " + block.title.text : ""} — ${block.alt_text || ""}]`;
      return node;
    }
    case "input":
      return input(block, blockId, ctx);
    default:
      return unknown(block, `block "${block.type}"`);
  }
}

function input(block, blockId, ctx) {
  const node = div("bk-input");
  const label = document.createElement("label");
  label.className = "bk-label";
  label.append(textObject(block.label, ctx));
  if (block.optional) {
    const optional = document.createElement("span");
    optional.className = "bk-optional";
    optional.textContent = " (optional)";
    label.append(optional);
  }
  node.append(label, element(block.element || {}, blockId, ctx, { input: !block.dispatch_action }));
  if (block.hint) node.append(div("bk-hint", textObject(block.hint, ctx)));
  const error = (ctx.errors || {})[blockId];
  if (error) {
    node.classList.add("has-error");
    node.append(div("bk-error", plainText(error)));
  }
  return node;
}
