"""The small vocabularies the store keeps and the rules, screens and commands speak of.

They live here, not beside the tables, so that a screen or a command's --help can name them
without loading the store's modules.
"""

from enum import StrEnum


class SignalKind(StrEnum):
    """Behaviour that makes a lead marketing-qualified, strongest buying intent first."""

    demo_request = "demo_request"
    contact_form = "contact_form"
    download = "download"
    webinar = "webinar"
    email_reply = "email_reply"
    email_click = "email_click"
    website_visit = "website_visit"


class CallbackStatus(StrEnum):
    open = "open"
    done = "done"
    cancelled = "cancelled"


class Role(StrEnum):
    caller = "caller"
    team_lead = "team_lead"


class ActivityKind(StrEnum):
    """Touches other than a call that the caller logs on a lead."""

    email = "email"
    linkedin = "linkedin"


class CampaignStatus(StrEnum):
    """Whether a client's campaign offers its leads (active) or not (paused, archived)."""

    active = "active"
    paused = "paused"
    archived = "archived"
