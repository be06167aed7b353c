// The customers' mailboxes: every mail to and from the support address, newest last, and a form to write
// one as a customer (a new request, or a reply to a mail the bot sent).

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

export function renderMailbox(mailbox, draft, send) {
  const pane = el("div", { className: "mailbox" });
  if (!mailbox) {
    pane.append(el("p", { className: "hint" }, "This policy has no e-mail."));
    return pane;
  }
  const list = el("div", { className: "mails" });
  if (!mailbox.mails.length) {
    list.append(el("p", { className: "hint" }, `No mail yet. Write to ${mailbox.address} as a customer below.`));
  }
  for (const mail of mailbox.mails) {
    const head = el("div", { className: "mail-head" },
      el("strong", {}, `${mail.from} → ${mail.to}`),
      el("span", { className: "mail-at" }, ` ${mail.at.replace("T", " ")}${mail.auto_submitted ? " · Auto-Submitted: " + mail.auto_submitted : ""}`));
    const item = el("article", { className: `mail mail-${mail.direction}` },
      head, el("div", { className: "mail-subject" }, mail.subject), el("pre", { className: "mail-text" }, mail.text));
    if (mail.direction === "out") {
      const reply = el("button", { type: "button", className: "secondary", textContent: "Reply" });
      reply.addEventListener("click", () => {
        const address = mail.to.split(",")[0].trim();
        Object.assign(draft, { from: address, subject: mail.subject.startsWith("Re:") ? mail.subject : `Re: ${mail.subject}`, inReplyTo: mail.message_id });
        send(null);
      });
      item.append(reply);
    }
    list.append(item);
  }
  const from = el("select", { className: "mail-from", ariaLabel: "From" },
    ...mailbox.senders.map((s) => new Option(s.label, s.address)));
  from.value = draft.from || mailbox.senders[0]?.address || "";
  const subject = el("input", { className: "mail-subject-input", placeholder: "Subject ([P1]…[P4] sets the priority)", value: draft.subject || "" });
  const text = el("textarea", { className: "mail-body", rows: 4, placeholder: "What is wrong?", value: draft.text || "" });
  const replying = draft.inReplyTo ? el("span", { className: "hint" }, "replying to the bot's mail") : "";
  const submit = el("button", { type: "submit", className: "primary", textContent: "Send mail" });
  const form = el("form", { className: "mail-compose" }, from, subject, text, replying, submit);
  for (const [field, key] of [[from, "from"], [subject, "subject"], [text, "text"]]) {
    field.addEventListener("input", () => (draft[key] = field.value));
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send({ from: from.value, subject: subject.value, text: text.value, in_reply_to: draft.inReplyTo || null });
  });
  pane.append(list, form);
  return pane;
}
