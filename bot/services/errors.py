"""What services raise; one Bolt error handler turns these into what the user sees."""

from __future__ import annotations


class ServiceError(Exception):
    """An expected refusal; `str(error)` is shown to the user as it is (mrkdwn, already escaped)."""


class NotAllowed(ServiceError):
    pass


class NotFound(ServiceError):
    pass


class InvalidInput(ServiceError):
    """Bad modal input: `errors` maps block ids to the message shown under each field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class NeedsConfirmation(ServiceError):
    """The key user chose work that normal support does not cover: the form asks them to confirm it as a
    paid request (`paid_work` says how it would be billed, or that it cannot be yet)."""

    def __init__(self, category: str, why: str, paid_work: str, possible: bool) -> None:
        super().__init__(why)
        self.category = category
        self.why = why
        self.paid_work = paid_work
        self.possible = possible


class LookupFailed(Exception):
    """Slack could not say who has an e-mail (busy, or the token may not read e-mails): not "nobody".
    `known` is True when the operator was already told why (a missing scope, warned at start)."""

    def __init__(self, reason: str, known: bool = False) -> None:
        super().__init__(reason)
        self.known = known
