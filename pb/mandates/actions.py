"""What a person can ask to do in a cycle (`Action`), and the answer when it is allowed (`Verdict`).

`pb.mandates.authority` decides who may take each action; services name the action they ask for.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Action(enum.StrEnum):
    CREATE_CYCLE = "create_cycle"
    APPOINT_REPRESENTATIVE = "appoint_representative"
    VIEW_DASHBOARD = "view_dashboard"
    READ_AUDIT_LOG = "read_audit_log"
    ENDORSE_CYCLE = "endorse_cycle"  # a councillor's public word for the cycle, or taking it back
    MANAGE_ROLES = "manage_roles"  # giving people roles and taking them away, in any cycle
    MANAGE_ACCOUNTS = "manage_accounts"  # changing a person's name or email address, sending them a reset link
    READ_COUNCIL_AUDIT_LOG = "read_council_audit_log"  # the entries of no one cycle: roles everywhere, accounts
    MANAGE_TEMPLATES = "manage_templates"  # importing mandate templates (from another council, say), removing them
    EDIT_MANDATE = "edit_mandate"
    AMEND_MANDATE = "amend_mandate"
    SIGN_MANDATE = "sign_mandate"
    DISCUSS_MANDATE = "discuss_mandate"
    OPEN_STAGE = "open_stage"
    CLOSE_STAGE = "close_stage"
    SUBMIT_PROPOSAL = "submit_proposal"
    REVIEW_PROPOSAL = "review_proposal"
    REVISE_COST = "revise_cost"
    CAST_BALLOT = "cast_ballot"
    CAST_CODE_BALLOT = "cast_code_ballot"  # with a voting code, signed in or not
    ANSWER_QUESTIONS = "answer_questions"  # the optional questions about oneself, after voting
    ENTER_POPULATION = "enter_population"  # the area's population, for the dashboard's comparison
    ISSUE_VOTING_CODES = "issue_voting_codes"
    RECORD_DECISION = "record_decision"
    OVERRIDE_RESULT = "override_result"
    RECORD_NEED = "record_need"
    SUPPORT_NEED = "support_need"
    AGREE_THEME = "agree_theme"
    EDIT_PROPOSAL = "edit_proposal"
    RESPOND_TO_REVIEW = "respond_to_review"
    COMMENT = "comment"
    SUPPORT_PROPOSAL = "support_proposal"
    MODERATE_COMMENT = "moderate_comment"
    REQUEST_MERGE = "request_merge"
    CONSENT_TO_MERGE = "consent_to_merge"
    POST_UPDATE = "post_update"
    PLEDGE = "pledge"
    RECORD_PLEDGE = "record_pledge"  # a pledge made in person, by someone without an account
    RECORD_LESSON = "record_lesson"
    RATE_PROJECT = "rate_project"
    CONSENT_TO_CARRY_OVER = "consent_to_carry_over"
    START_NEXT_CYCLE = "start_next_cycle"
    CREATE_EVENT = "create_event"
    RUN_EVENT = "run_event"  # an event's dashboard and live view
    CHECK_IN_ATTENDEE = "check_in_attendee"
    START_KIOSK = "start_kiosk"
    PRINT_PAPER_BALLOTS = "print_paper_ballots"
    KEY_PAPER_BALLOT = "key_paper_ballot"  # a first or second entry, the reconciliation counts
    RESOLVE_PAPER_BALLOT = "resolve_paper_ballot"  # a mismatch between two entries
    RECORD_WORKSHOP = "record_workshop"  # notes, attendance and ideas raised in the room


@dataclass(frozen=True)
class Verdict:
    """Allowed, under `clause`, acting as `role`."""

    clause: str
    role: str
