"""Every command, callback, action and block id the app registers or renders, in one place.

manifest.yml names the same command and callback ids; tests/test_manifest.py keeps the two in step.
"""

from enum import StrEnum

COMMAND = "/support"


class Callback(StrEnum):
    LINK_ISSUE_MODAL = "link_issue"
    RAISE_MODAL = "raise_ticket"
    RAISE_FOR_MODAL = "raise_for_customer"  # staff: first choose the customer, then the raise form
    RAISE_SHORTCUT = "raise_from_message"
    RESOLVE_MODAL = "resolve_ticket"
    DETAILS_MODAL = "add_details"
    REASSIGN_MODAL = "reassign_ticket"
    ESCALATE_MODAL = "escalate_ticket"
    RECLASSIFY_MODAL = "reclassify_ticket"
    LOG_TIME_MODAL = "log_time"
    REPLY_MODAL = "reply_to_customer"
    WAIT_MODAL = "wait_on_customer"
    CSAT_COMMENT_MODAL = "csat_comment"


class Action(StrEnum):
    CLAIM = "ticket_claim"
    GROUP_STORM = "storm_group"  # Group as one incident, on a storm message
    FIX_STILL_FAILS = "fix_still_fails"  # on the key user's "fix shipped" notice
    LINK_ISSUE = "ticket_link_issue"
    ISSUE_URL = "issue_url"
    ISSUE_TRACKER = "issue_tracker"  # Create issue: where
    ISSUE_SUMMARY = "issue_summary"  # Create issue: the engineer's summary
    RELEASE = "ticket_release"
    REASSIGN = "ticket_reassign"
    SET_PRIORITY = "ticket_priority"
    WAIT = "ticket_wait"
    RESUME = "ticket_resume"
    RESOLVE = "ticket_resolve"
    REOPEN = "ticket_reopen"
    ADD_DETAILS = "ticket_add_details"
    ESCALATE = "ticket_escalate"
    ACKNOWLEDGE = "page_acknowledge"
    TAKE = "page_take"
    RECLASSIFY = "ticket_reclassify"
    CATEGORY = "category"
    PAID_CONFIRM = "paid_confirm"
    PHONE = "callback_phone"
    RECLASSIFY_REASON = "reclassify_reason"
    LOG_TIME = "ticket_log_time"
    WORK_DURATION = "work_duration"
    WORK_AGENTS = "work_agents"
    WORK_NOTE = "work_note"
    WORK_DATE = "work_date"
    NEW_OWNER = "new_owner"
    RESOLUTION = "resolution"
    RESOLUTION_NOTE = "resolution_note"
    TIME_SPENT = "time_spent"
    PUBLISH_ANSWER = "publish_answer"
    ANSWER_TITLE = "answer_title"
    ANSWER_CHOICE = "answer_choice"
    DUPLICATE_OF = "duplicate_of"
    DETAILS = "details"
    ESCALATION_REASON = "escalation_reason"
    DUPLICATE_CHOICE = "duplicate_choice"
    CUSTOMER = "customer"
    FOR_KEY_USER = "for_key_user"
    PRIORITY = "priority"
    ENVIRONMENT = "environment"
    TITLE = "title"
    DESCRIPTION = "description"
    TRIED = "tried"
    # Slack Connect: the card in a customer's channel, and talking to the customer
    RAISE_FROM_CARD = "connect_raise"
    NOT_NOW = "connect_not_now"
    REPLY_TO_CUSTOMER = "ticket_reply_customer"
    REPLY = "reply_text"
    QUESTION = "question"
    # The satisfaction question's five answers (bot/blocks/csat.py), one action id each; then its comment.
    CSAT_1 = "csat_score_1"
    CSAT_2 = "csat_score_2"
    CSAT_3 = "csat_score_3"
    CSAT_4 = "csat_score_4"
    CSAT_5 = "csat_score_5"
    CSAT_COMMENT = "csat_comment_text"


class Block(StrEnum):
    CUSTOMER = "customer_block"
    FOR_KEY_USER = "for_key_user_block"
    ON_BEHALF = "on_behalf"
    PRIORITY = "priority_block"
    ENVIRONMENT = "environment_block"
    TITLE = "title_block"
    DESCRIPTION = "description_block"
    TRIED = "tried_block"
    TICKET_ACTIONS = "ticket_actions"
    BOARD_CLAIM = (
        "board_claim"  # + ":<n>": one "Claim…" menu per group of tickets on a queue or storm message
    )
    STORM_ACTIONS = "storm_actions"
    ISSUE_URL = "issue_url_block"
    ISSUE_TRACKER = "issue_tracker_block"
    ISSUE_SUMMARY = "issue_summary_block"
    FIX_ACTIONS = "fix_actions"  # the "fix shipped" notice's button
    NEW_OWNER = "new_owner_block"
    RESOLUTION = "resolution_block"
    RESOLUTION_NOTE = "resolution_note_block"
    TIME_SPENT = "time_spent_block"
    PUBLISH_ANSWER = "publish_answer_block"
    ANSWER_TITLE = "answer_title_block"
    ANSWER_CHOICE = "answer_choice_block"
    DUPLICATE_OF = "duplicate_of_block"
    DETAILS = "details_block"
    ESCALATION_REASON = "escalation_reason_block"
    DUPLICATE_CHOICE = "duplicate_choice_block"
    PAGE_ACTIONS = "page_actions"
    REPORTER_ACTIONS = "reporter_actions"
    CATEGORY = "category_block"
    PAID_CONFIRM = "paid_confirm_block"
    PAID_TERMS = "paid_terms"
    PHONE = "callback_phone_block"
    RECLASSIFY_REASON = "reclassify_reason_block"
    WORK_DURATION = "work_duration_block"
    WORK_AGENTS = "work_agents_block"
    WORK_NOTE = "work_note_block"
    WORK_DATE = "work_date_block"
    INTAKE_ACTIONS = "intake_actions"
    CUSTOMER_ACTIONS = "customer_actions"
    REPLY = "reply_block"
    QUESTION = "question_block"
    CSAT_SCORES = "csat_scores"
    CSAT_COMMENT = "csat_comment"


CSAT_SCORE_ACTIONS: dict[str, int] = {
    Action.CSAT_1: 1,
    Action.CSAT_2: 2,
    Action.CSAT_3: 3,
    Action.CSAT_4: 4,
    Action.CSAT_5: 5,
}
