"""Every command, callback, action and block id the app registers or renders, in one place.

manifest.yml names the same command and callback ids; tests/test_manifest.py keeps the two in step.
"""

from enum import StrEnum

COMMAND = "/support"


class Callback(StrEnum):
    RAISE_MODAL = "raise_ticket"
    RAISE_SHORTCUT = "raise_from_message"


class Action(StrEnum):
    CLAIM = "ticket_claim"
    CUSTOMER = "customer"
    PRIORITY = "priority"
    ENVIRONMENT = "environment"
    TITLE = "title"
    DESCRIPTION = "description"
    TRIED = "tried"


class Block(StrEnum):
    CUSTOMER = "customer_block"
    PRIORITY = "priority_block"
    ENVIRONMENT = "environment_block"
    TITLE = "title_block"
    DESCRIPTION = "description_block"
    TRIED = "tried_block"
    TICKET_ACTIONS = "ticket_actions"
