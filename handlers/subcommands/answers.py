"""`/support search <words>` (anyone the answers are for) and `/support answers` (leads: list, edit,
withdraw). Only published answers are shown: title and text, never where they came from."""

from __future__ import annotations

from bot.blocks.kit import truncate
from bot.permissions import Do
from bot.services import answers
from bot.services.answers import Found
from bot.text import escape
from handlers.deps import ROW_ID_MAX, Deps, row_id

SEARCH_USAGE = "Usage: `/support search <words>`, e.g. `/support search export times out`."
ANSWERS_USAGE = (
    "Usage: `/support answers` lists published answers; `/support answers withdraw 12` withdraws one; "
    "`/support answers edit 12 New title | New text` changes one."
)
SHOWN_TEXT = 600  # characters of an answer's text in a list of answers


def language_of(deps: Deps, user_id: str) -> str:
    """A key user searches in their plan's language; staff in the default one."""
    customers = deps.policy.customers_of(user_id)
    return deps.policy.plan_of(customers[0]).language if customers else "english"


def render_found(found: list[Found]) -> str:
    return "\n\n".join(f"*{escape(f.title)}*\n{escape(truncate(f.text, SHOWN_TEXT))}" for f in found)


async def search(deps: Deps, user_id: str, args: list[str]) -> str:
    deps.roles.require(Do.SEARCH_ANSWERS, user_id)
    return await found_text(" ".join(args), language_of(deps, user_id), SEARCH_USAGE, "with `/support`")


async def found_text(words: str, language: str, usage: str, how_to_raise: str) -> str:
    """The private answer to a search (`/support search`, `@Secondline search` in a customer's channel):
    the best published answers, title and text only."""
    if not answers.words_of(words):
        return usage
    found = await answers.search(words, language)
    if not found:
        return f"No published answer matches _{escape(words)}_. Raise a ticket {how_to_raise}."
    return f"Published answers for _{escape(words)}_:\n\n{render_found(found)}"


async def answers_command(deps: Deps, user_id: str, args: list[str]) -> str:
    deps.roles.require(Do.MANAGE_ANSWERS, user_id)
    if not args:
        listed = await answers.listing(include_withdrawn=True)
        if not listed:
            return "No answer has been published yet."
        return "\n".join(
            f"{a.id}. *{escape(a.title)}* · {a.language} · <@{a.published_by}> "
            f"{a.published_at:%Y-%m-%d}" + (" · _withdrawn_" if a.withdrawn else "")
            for a in listed
        )
    action, rest = args[0].lower(), args[1:]
    answer_id = row_id(rest[0], ROW_ID_MAX) if rest else None
    if action not in ("withdraw", "edit") or answer_id is None:
        return ANSWERS_USAGE
    now = deps.clock.now()
    if action == "withdraw":
        withdrawn = await answers.withdraw(answer_id, by=user_id, now=now)
        title = escape(withdrawn.title)
        return f"Answer {withdrawn.id} (*{title}*) is withdrawn: no one is offered it any more."
    title, bar, text = " ".join(rest[1:]).partition("|")
    if not bar:
        return ANSWERS_USAGE
    edited = await answers.edit(answer_id, title=title, text=text, by=user_id, now=now)
    return f"Answer {edited.id} is now *{escape(edited.title)}*."
