"""The playground's mailboxes: customers write to the support address as their e-mail key users (or as a
stranger) and read what the bot answers, without a mail server.

The playground runs the policy with an `email:` block added (when it has none) and one e-mail key user per
customer whose plan includes e-mail. Mail in goes where a webhook's would (MailIntake.store); mail out is
what the bot's SMTP job built, kept here instead of handed to a server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from bot.clock import Clock
from bot.playground.people import handle
from bot.policy import Policy
from bot.policy.email import CustomerEmail, EmailSettings

SUPPORT_ADDRESS = "support@vendor.example"
TOKEN_ENV = "PLAYGROUND_MAIL_TOKEN"
ENVIRONMENT = {TOKEN_ENV: "playground"}
STRANGER = "someone@unknown.example"
KEPT = 200


def with_mail(policy: Policy) -> Policy:
    """The policy as the playground runs it: e-mail on, one e-mail key user per customer whose plan has it."""
    if policy.email is not None:
        return policy
    settings = EmailSettings.model_validate(
        {
            "address": SUPPORT_ADDRESS,
            "inbound": {"webhook": {"token_env": TOKEN_ENV}},
            "smtp": {"host": "127.0.0.1", "port": 25, "starttls": False},  # never used: mail stays here
        }
    )
    customers = {}
    for key, customer in policy.customers.items():
        domain = customer.domains[0] if customer.domains else f"{key}.example"
        if "email" in policy.plans[customer.plan].includes and customer.email is None:
            address = f"{handle(customer.key_users[0])}@{domain}"
            customer = customer.model_copy(
                update={"email": CustomerEmail(key_users=[address]), "domains": customer.domains or [domain]}
            )
        customers[key] = customer
    return policy.model_copy(update={"email": settings, "customers": customers})


def addresses(policy: Policy) -> list[dict[str, str]]:
    """Who the page lets you write as: each customer's e-mail key users, then a stranger."""
    found = [
        {"address": address, "label": f"{address} · key user of {customer.name}"}
        for customer in policy.customers.values()
        if customer.email is not None
        for address in customer.email.key_users
    ]
    return [*found, {"address": STRANGER, "label": f"{STRANGER} · nobody the policy knows"}]


@dataclass
class Mailbox:
    clock: Clock
    mails: list[dict[str, Any]] = field(default_factory=list)

    def reset(self) -> None:
        self.mails.clear()

    def written(self, sender: str, subject: str, text: str, in_reply_to: str | None) -> bytes:
        """A customer's message, as their mail client would send it; kept in the list as sent."""
        message = EmailMessage()
        message["From"] = sender
        message["To"] = SUPPORT_ADDRESS
        message["Subject"] = subject
        message["Date"] = formatdate(self.clock.now().timestamp(), usegmt=True)
        message["Message-ID"] = make_msgid(domain=sender.partition("@")[2] or "customer.example")
        if in_reply_to:
            replied = next((m for m in self.mails if m["message_id"] == in_reply_to), None)
            message["In-Reply-To"] = f"<{in_reply_to}>"
            chain = [*(replied["references"] if replied else []), in_reply_to]
            message["References"] = " ".join(f"<{ref}>" for ref in chain)
        message.set_content(text)
        self._keep(message, "in")
        return bytes(message)

    async def deliver(self, message: EmailMessage) -> None:
        """The bot's SMTP step: the message lands in its recipients' mailboxes."""
        self._keep(message, "out")

    def _keep(self, message: EmailMessage, direction: str) -> None:
        references = str(message.get("References") or "").replace("<", " ").replace(">", " ").split()
        body = message.get_body(preferencelist=("plain",))
        self.mails.append(
            {
                "direction": direction,
                "at": self.clock.now().isoformat(timespec="seconds"),
                "from": str(message["From"]),
                "to": ", ".join(str(v) for v in (message["To"], message.get("Cc")) if v),
                "subject": str(message["Subject"]),
                "text": str(body.get_content()) if body is not None else "",
                "message_id": str(message["Message-ID"]).strip("<>"),
                "references": references,
                "auto_submitted": str(message.get("Auto-Submitted") or ""),
            }
        )
        del self.mails[:-KEPT]

    def as_json(self, policy: Policy) -> dict[str, Any]:
        return {"address": SUPPORT_ADDRESS, "senders": addresses(policy), "mails": list(self.mails)}
