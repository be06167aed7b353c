"""`/csat/<token>`: an e-mail ticket's reporter answers "How did we do?" from the links in their mail.

The token is signed (bot/satisfaction.py `LinkSigner`): a forged or mangled one is a 404, a bad score a 400,
a closed question a 403; the page is small HTML with the five answers and an optional comment form.
"""

from __future__ import annotations

import html

from aiohttp import web

from bot.link_pages import page
from bot.satisfaction import COMMENT_MAX, QUESTION, SCORES, LinkSigner, label, score_of
from bot.services.csat import BY_MAIL, Satisfaction
from bot.services.errors import InvalidInput, NotAllowed, NotFound, ServiceError
from models import CsatSurvey, Ticket

FORM_MAX_BYTES = 64 * 1024


def _choices(token: str, current: int | None) -> str:
    items = "".join(
        f'<li><a href="/csat/{html.escape(token)}?score={n}">{html.escape(label(n))}</a>'
        + (" (your answer)" if n == current else "")
        + "</li>"
        for n in SCORES
    )
    return f"<ul>{items}</ul>"


def _comment_form(token: str, survey: CsatSurvey) -> str:
    return (
        f'<form method="post" action="/csat/{html.escape(token)}">'
        '<label for="comment">Anything you would like to tell us? (optional)</label><br>'
        f'<textarea id="comment" name="comment" rows="5" cols="60" maxlength="{COMMENT_MAX}">'
        f"{html.escape(survey.comment)}</textarea><br>"
        '<button type="submit">Send</button></form>'
    )


def add_routes(app: web.Application, satisfaction: Satisfaction, signer: LinkSigner) -> None:
    async def survey_of(token: str) -> tuple[CsatSurvey, Ticket] | None:
        survey_id = signer.survey_of(token)
        if survey_id is None:
            return None
        try:
            survey = await satisfaction.by_id(survey_id)
        except NotFound:
            return None
        ticket = await Ticket.get_or_none(id=survey.ticket_id)
        return (survey, ticket) if ticket is not None else None

    def unknown() -> web.Response:
        return page("Not found", "<p>This link is not valid. Please use the link from your mail.</p>", 404)

    def refused(exc: ServiceError) -> web.Response:
        status = 403 if isinstance(exc, NotAllowed) else 400
        return page(QUESTION, f"<p>{html.escape(str(exc))}</p>", status)

    async def answer(request: web.Request) -> web.Response:
        token = request.match_info["token"]
        found = await survey_of(token)
        if found is None:
            return unknown()
        survey, ticket = found
        about = f"<p>Your ticket {html.escape(ticket.ref)}: {html.escape(ticket.title)}</p>"
        if "score" not in request.query:
            return page(QUESTION, about + _choices(token, survey.score))
        score = score_of(request.query.get("score", ""))
        if score is None:
            return page(
                QUESTION, about + "<p>Choose one of the answers below.</p>" + _choices(token, None), 400
            )
        try:
            survey = await satisfaction.answer(survey.ticket_id, BY_MAIL, score)
        except ServiceError as exc:
            return refused(exc)
        thanks = f"<p>Thank you: you answered <strong>{html.escape(label(score))}</strong>.</p>"
        return page(
            QUESTION,
            about
            + thanks
            + _comment_form(token, survey)
            + "<p>Change your answer:</p>"
            + _choices(token, score),
        )

    async def comment(request: web.Request) -> web.Response:
        token = request.match_info["token"]
        found = await survey_of(token)
        if found is None:
            return unknown()
        survey, ticket = found
        if request.content_length is not None and request.content_length > FORM_MAX_BYTES:
            return page(QUESTION, "<p>That comment is too long.</p>", 413)
        form = await request.post() if request.content_type == "application/x-www-form-urlencoded" else {}
        text = form.get("comment")
        if not isinstance(text, str):
            return page(QUESTION, "<p>Write a comment in the form.</p>", 400)
        try:
            await satisfaction.comment(survey.ticket_id, BY_MAIL, text)
        except InvalidInput as exc:
            return page(QUESTION, f"<p>{html.escape(' '.join(exc.errors.values()))}</p>", 400)
        except ServiceError as exc:
            return refused(exc)
        return page(QUESTION, f"<p>Thank you for your comment on {html.escape(ticket.ref)}.</p>")

    # No HEAD: a mail scanner probing the links must not answer for the customer.
    app.router.add_get("/csat/{token}", answer, allow_head=False)
    app.router.add_post("/csat/{token}", comment)
