"""How a ticket was resolved, what an out-of-scope closure tells the customer in plain words, and how long
the key user may reopen it."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

REOPEN_WINDOW = timedelta(days=7)  # key users may reopen this long after resolution; staff at any time


class Resolution(StrEnum):
    FIXED = "fixed"
    PRODUCT_DEFECT = "fixed_product_defect"
    WORKAROUND = "workaround"
    ANSWERED = "answered"
    DUPLICATE = "duplicate"
    ENHANCEMENT = "enhancement_logged"
    THIRD_PARTY = "out_of_scope_third_party"
    CUSTOMER_MODIFICATION = "out_of_scope_customer_modification"
    UNAUTHORIZED_ACCESS = "out_of_scope_unauthorized_access"
    CUSTOM_DEVELOPMENT = "out_of_scope_custom_development"

    @property
    def label(self) -> str:
        return RESOLUTION_LABELS[self][0]

    @property
    def explanation(self) -> str | None:
        """Plain words for the key user when the ticket is closed as out of scope."""
        return RESOLUTION_LABELS[self][1]


RESOLUTION_LABELS: dict[Resolution, tuple[str, str | None]] = {
    Resolution.FIXED: ("Fixed", None),
    Resolution.PRODUCT_DEFECT: (
        "Fixed: product defect",
        "The cause was a defect in our product, so no support time is charged for this ticket.",
    ),
    Resolution.WORKAROUND: ("Workaround given", None),
    Resolution.ANSWERED: ("Answered", None),
    Resolution.DUPLICATE: ("Duplicate", None),
    Resolution.ENHANCEMENT: ("Enhancement request logged", None),
    Resolution.THIRD_PARTY: (
        "Out of scope: third-party software",
        "The problem lies in software from another vendor, which your support plan does not cover. "
        "Please contact that vendor.",
    ),
    Resolution.CUSTOMER_MODIFICATION: (
        "Out of scope: customer modification",
        "The problem comes from changes made to the product on your side (customisations, scripts or "
        "configuration outside the supported settings), which your support plan does not cover.",
    ),
    Resolution.UNAUTHORIZED_ACCESS: (
        "Out of scope: unauthorized access",
        "The problem follows from access to the system that was not authorised, so support cannot act on "
        "it. Please involve your security team.",
    ),
    Resolution.CUSTOM_DEVELOPMENT: (
        "Out of scope: custom development or consulting",
        "This is a request for custom development or consulting, which your support plan does not "
        "cover. Your account manager can offer it as a paid service.",
    ),
}
