"""`/mail/action/<token>`: a reporter's signed mail link (bot/mail/links.py), answered in two steps.

GET only shows what the link would do, with one button: mail scanners and link previews open links on
their own (Microsoft Safe Links, Mimecast, …), and must never close or reopen a ticket for the customer.
The button POSTs, and only that acts. A forged or mangled token is 404; a link whose moment has passed
(used already, the ticket moved on) is 409 with the reason; nothing changes either way.
"""

from __future__ import annotations

import html

from aiohttp import web

from bot.link_pages import page
from bot.mail.actions import MailActions
from bot.mail.links import ROUTE, Act, ActionSigner
from bot.services.errors import NotFound, ServiceError

TITLES = {Act.SOLVED: "Did this answer solve it?", Act.FAILS: "Does it still fail?"}


def _unknown() -> web.Response:
    return page("Not found", "<p>This link is not valid. Please use the link from your mail.</p>", 404)


def add_routes(app: web.Application, actions: MailActions, signer: ActionSigner) -> None:
    async def show(request: web.Request) -> web.Response:
        action = signer.read(request.match_info["token"])
        if action is None:
            return _unknown()
        title = TITLES[action.act]
        try:
            offer = await actions.offer(action)
        except NotFound:
            return _unknown()
        except ServiceError as exc:
            return page(title, f"<p>{html.escape(str(exc))}</p>", 409)
        about = (
            f"<p>Your ticket {html.escape(offer.ticket.ref)}: {html.escape(offer.ticket.title)}</p>"
            f"<p>About: <strong>{html.escape(offer.detail)}</strong></p>"
        )
        form = (
            f'<form method="post" action="{ROUTE}/{html.escape(request.match_info["token"])}">'
            f'<button type="submit">{html.escape(offer.question)}</button></form>'
        )
        return page(title, about + form)

    async def act(request: web.Request) -> web.Response:
        action = signer.read(request.match_info["token"])
        if action is None:
            return _unknown()
        title = TITLES[action.act]
        try:
            ticket = await actions.act(action)
        except NotFound:
            return _unknown()
        except ServiceError as exc:  # used already, or the ticket moved on: nothing changed
            return page(title, f"<p>{html.escape(str(exc))}</p>", 409)
        if action.act == Act.SOLVED:
            done = f"Thank you: {ticket.ref} is closed as solved by the published answer."
        else:
            done = (
                f"Thank you: {ticket.ref} is open again; the support team is told the fix did not solve it."
            )
        return page(title, f"<p>{html.escape(done)}</p>")

    # No HEAD: a scanner's probe answers nothing.
    app.router.add_get(ROUTE + "/{token}", show, allow_head=False)
    app.router.add_post(ROUTE + "/{token}", act)
