"""Who may do what to a ticket: roles derived from the policy file, checked in one place.

The defaults below are printed in the README; a policy file may override any action under `permissions:`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum


class Do(StrEnum):
    RAISE = "raise"
    CLAIM = "claim"
    RELEASE = "release"
    REASSIGN = "reassign"
    CHANGE_PRIORITY = "change_priority"
    WAIT = "wait_on_customer"
    RESUME = "resume"
    RESOLVE = "resolve"
    REOPEN = "reopen"
    ESCALATE = "escalate"
    ACKNOWLEDGE = "acknowledge"
    ADD_DETAILS = "add_details"
    RECLASSIFY = "reclassify"
    LOG_TIME = "log_time"
    EDIT_TIME = "edit_time"
    WAIVE = "waive"
    STATEMENT = "statement"
    WITHDRAW_STATEMENT = "withdraw_statement"
    REPORT = "report"
    SIMULATE = "simulate"
    LINK_ISSUE = "link_issue"
    MANAGE_ANSWERS = "manage_answers"
    SEARCH_ANSWERS = "search_answers"
    SOLVED_BY_ANSWER = "solved_by_answer"
    STILL_FAILS = "still_fails"


# Who acts when a customer's e-mail changes a ticket, and the reporter id of e-mail tickets (not a Slack id).
# The mail router (bot/mail/inbound.py) has already checked the sender is one of the ticket's customer's.
EMAIL_ACTOR = "customer by e-mail"


class Role(StrEnum):
    KEY_USER = "key_user"  # a key user of the ticket's customer
    REPORTER = "reporter"  # the key user who raised this ticket
    ENGINEER = "engineer"
    OWNER = "owner"  # whoever holds the ticket now
    ESCALATION = "escalation"  # anyone on an escalation level: leads, managers, executives
    PAGED = "paged"  # someone this ticket paged
    LOGGER = "logger"  # whoever logged the time entry in question
    ACCOUNT_MANAGER = "account_manager"  # the customer's account manager


DEFAULT_PERMISSIONS: dict[Do, tuple[Role, ...]] = {
    # Staff raise on a customer's behalf (a call, a meeting); an account manager for their own accounts.
    Do.RAISE: (Role.KEY_USER, Role.ENGINEER, Role.ESCALATION, Role.ACCOUNT_MANAGER),
    Do.CLAIM: (Role.ENGINEER, Role.ESCALATION),
    Do.RELEASE: (Role.OWNER, Role.ESCALATION),
    Do.REASSIGN: (Role.OWNER, Role.ESCALATION),
    Do.CHANGE_PRIORITY: (Role.ENGINEER, Role.ESCALATION),
    Do.WAIT: (Role.OWNER, Role.ENGINEER, Role.ESCALATION),
    Do.RESUME: (Role.OWNER, Role.ENGINEER, Role.ESCALATION, Role.KEY_USER),
    Do.RESOLVE: (Role.OWNER, Role.ESCALATION),
    Do.REOPEN: (Role.KEY_USER, Role.ENGINEER, Role.ESCALATION),
    Do.ESCALATE: (Role.KEY_USER, Role.ENGINEER, Role.ESCALATION),
    Do.ACKNOWLEDGE: (Role.PAGED, Role.ESCALATION),
    Do.ADD_DETAILS: (Role.KEY_USER, Role.ENGINEER, Role.ESCALATION),
    Do.RECLASSIFY: (Role.ENGINEER, Role.ESCALATION),
    Do.LOG_TIME: (Role.ENGINEER, Role.ESCALATION),
    Do.EDIT_TIME: (Role.LOGGER, Role.ESCALATION),
    Do.WAIVE: (Role.OWNER, Role.ESCALATION),
    Do.STATEMENT: (Role.ESCALATION, Role.ACCOUNT_MANAGER),
    Do.WITHDRAW_STATEMENT: (Role.ESCALATION,),
    Do.REPORT: (Role.ESCALATION, Role.ACCOUNT_MANAGER),
    Do.SIMULATE: (Role.ESCALATION,),
    Do.LINK_ISSUE: (Role.ENGINEER, Role.ESCALATION),
    Do.MANAGE_ANSWERS: (Role.ESCALATION,),  # leads edit and withdraw published answers
    Do.SEARCH_ANSWERS: (Role.KEY_USER, Role.ENGINEER, Role.ESCALATION, Role.ACCOUNT_MANAGER),
    Do.SOLVED_BY_ANSWER: (Role.KEY_USER,),  # the customer's word: a published answer solved their request
    Do.STILL_FAILS: (Role.KEY_USER,),  # the customer's word: a shipped fix did not solve it
}

ROLE_WORDS = {
    Role.KEY_USER: "the customer's key users",
    Role.REPORTER: "the reporter",
    Role.ENGINEER: "support engineers",
    Role.OWNER: "the ticket's owner",
    Role.ESCALATION: "leads, managers and executives",
    Role.PAGED: "people the ticket paged",
    Role.LOGGER: "whoever logged the time",
    Role.ACCOUNT_MANAGER: "the customer's account manager",
}

ACTION_WORDS = {
    Do.RAISE: "raise tickets",
    Do.CLAIM: "claim tickets",
    Do.RELEASE: "release a ticket",
    Do.REASSIGN: "reassign a ticket",
    Do.CHANGE_PRIORITY: "change a ticket's priority",
    Do.WAIT: "mark a ticket as waiting on the customer",
    Do.RESUME: "resume a ticket",
    Do.RESOLVE: "resolve a ticket",
    Do.REOPEN: "reopen a ticket",
    Do.ESCALATE: "ask for escalation",
    Do.ACKNOWLEDGE: "acknowledge a page",
    Do.ADD_DETAILS: "add details to a ticket",
    Do.RECLASSIFY: "reclassify what a ticket is about",
    Do.LOG_TIME: "log time on a ticket",
    Do.EDIT_TIME: "correct or delete a time entry",
    Do.WAIVE: "waive a ticket's charges",
    Do.STATEMENT: "get a customer's statement",
    Do.WITHDRAW_STATEMENT: "withdraw an issued statement",
    Do.REPORT: "get the support report",
    Do.SIMULATE: "simulate a ticket",
    Do.LINK_ISSUE: "link a ticket to an engineering issue",
    Do.MANAGE_ANSWERS: "edit or withdraw published answers",
    Do.SEARCH_ANSWERS: "search published answers",
    Do.SOLVED_BY_ANSWER: "say a published answer solved their ticket",
    Do.STILL_FAILS: "say the fix still fails",
}


def allowed(table: Mapping[Do, Iterable[Role]], action: Do, roles: Iterable[Role]) -> bool:
    return bool(set(table[action]) & set(roles))


def refusal(table: Mapping[Do, Iterable[Role]], action: Do) -> str:
    who = ", ".join(ROLE_WORDS[r] for r in table[action])
    return f"Only {who} can {ACTION_WORDS[action]}. Nothing was changed."


def markdown_table(table: Mapping[Do, Iterable[Role]] = DEFAULT_PERMISSIONS) -> str:
    """The table the README prints (tests keep the two in step)."""
    lines = ["| action | who may do it |", "| --- | --- |"]
    lines += [
        f"| `{action.value}` | {', '.join(ROLE_WORDS[r] for r in roles)} |" for action, roles in table.items()
    ]
    return "\n".join(lines)
