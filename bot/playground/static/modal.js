// The persona's open modal, drawn over the page: title, blocks, errors under their fields, Cancel and the
// submit button. It is redrawn only when the view itself changes (new id or hash, new errors), keeping
// what the person typed into fields that are still there, as Slack does. Keys as in Slack: Escape closes
// the view on top (as its Cancel does); Enter in a one-line field never submits (a half-filled form
// would go); Ctrl+Enter (⌘+Enter) submits from anywhere in the form.

import { renderBlocks } from "./blockkit.js";
import { StateBag } from "./elements.js";
import { plainText } from "./mrkdwn.js";

export class ModalView {
  constructor(root, handlers) {
    this.root = root; // the overlay element
    this.handlers = handlers; // {submit(viewId, values), close(viewId), act(where, action)}
    this.key = null;
    this.viewId = null;
    this.state = null;
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.viewId && !this.root.hidden) {
        event.preventDefault();
        this.handlers.close(this.viewId);
      }
    });
  }

  show(modal, ctx) {
    if (!modal) {
      this.clear();
      return;
    }
    const view = modal.view;
    const key = JSON.stringify([view.id, view.hash, modal.errors, modal.problem, modal.depth]);
    if (key === this.key) return;
    const drafts = this.state && this.viewId === view.id ? this.state.snapshot() : new Map();
    this.key = key;
    this.viewId = view.id;
    this.state = new StateBag(drafts);
    this.root.replaceChildren(this.dialog(modal, ctx));
    this.root.hidden = false;
  }

  clear() {
    this.key = this.viewId = this.state = null;
    this.root.hidden = true;
    this.root.replaceChildren();
  }

  dialog(modal, ctx) {
    const view = modal.view;
    const dialog = document.createElement("form");
    dialog.className = "modal";
    dialog.setAttribute("role", "dialog");
    dialog.setAttribute("aria-label", view.title?.text || "Modal");
    const head = document.createElement("header");
    const title = document.createElement("h2");
    title.append(plainText(view.title?.text || ""));
    const close = this.button("×", "close-x", () => this.handlers.close(view.id));
    close.setAttribute("aria-label", "Close");
    head.append(title, close);
    dialog.append(head);
    if (modal.problem) {
      const problem = document.createElement("p");
      problem.className = "modal-problem";
      problem.textContent = modal.problem;
      dialog.append(problem);
    }
    const state = this.state;
    const where = () => ({ surface: "modal", view_id: view.id, state: state.values() });
    const body = renderBlocks(view.blocks, {
      ...ctx,
      state,
      errors: modal.errors,
      onAction: (action) => this.handlers.act(where(), action),
    });
    body.classList.add("modal-body");
    dialog.append(body);
    const foot = document.createElement("footer");
    foot.append(this.button(view.close?.text || "Cancel", "secondary", () => this.handlers.close(view.id)));
    if (view.submit) {
      const submit = document.createElement("button");
      submit.type = "submit";
      submit.className = "primary";
      submit.append(plainText(view.submit.text));
      foot.append(submit);
    }
    dialog.append(foot);
    dialog.addEventListener("submit", (event) => {
      event.preventDefault();
      this.handlers.submit(view.id, state.values());
    });
    dialog.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.isComposing) return;
      if (event.ctrlKey || event.metaKey) {
        event.preventDefault();
        if (view.submit) dialog.requestSubmit();
      } else if (event.target instanceof HTMLInputElement) {
        event.preventDefault(); // the browser's implicit submission, which Slack does not have
      }
    });
    return dialog;
  }

  button(label, className, onClick) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = className;
    button.textContent = label;
    button.addEventListener("click", onClick);
    return button;
  }
}
