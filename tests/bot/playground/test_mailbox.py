"""The playground's mailbox: a customer writes to the support address, the real bot raises the ticket
and answers by mail, and a reply to that answer goes back to the same ticket; strangers get one answer."""

from __future__ import annotations

from models import Ticket
from tests.playground import Playground, State


def mails(state: State, direction: str) -> list[dict[str, str]]:
    return [m for m in state["mailbox"]["mails"] if m["direction"] == direction]


async def test_a_customer_writes_in_the_playground_and_reads_the_bots_answers(playground: Playground) -> None:
    state = await playground.state("U0ENG1")
    senders = [s["address"] for s in state["mailbox"]["senders"]]
    anna = senders[0]
    assert anna.endswith("@acme.example") and senders[-1] == "someone@unknown.example"
    await playground.post(
        "mail", persona="U0ENG1", **{"from": anna}, subject="[P2] Orders stuck", text="Since 9"
    )
    state = await playground.until("U0ENG1", lambda s: mails(s, "out"), "the acknowledgement")
    [ack] = mails(state, "out")
    ticket = await Ticket.get(source="email")
    assert ack["subject"] == f"[{ticket.ref}] [P2] Orders stuck" and ticket.priority == "P2"
    assert ack["to"] == anna and ack["auto_submitted"] == "auto-replied"
    await playground.post(
        "mail", persona="U0ENG1", **{"from": anna}, subject=f"Re: {ack['subject']}", text="More: all shops",
        in_reply_to=ack["message_id"],
    )  # fmt: skip
    await playground.session.settle()
    assert await Ticket.all().count() == 1  # the reply went to the ticket
    await playground.post(
        "mail", persona="U0ENG1", **{"from": "someone@unknown.example"}, subject="hi", text="x"
    )
    state = await playground.until("U0ENG1", lambda s: len(mails(s, "out")) == 2, "the stranger's answer")
    assert "registered key users" in mails(state, "out")[-1]["text"]


async def test_a_mail_without_sender_is_refused_with_a_clear_answer(playground: Playground) -> None:
    response = await playground.client.post("/api/mail", json={"from": "nobody", "subject": "s", "text": "t"})
    assert response.status == 400 and "address" in (await response.json())["error"]
