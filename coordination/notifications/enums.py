"""A person's e-mail preference and where each notification's e-mail stands."""

from enum import StrEnum


class EmailPreference(StrEnum):
    immediately = "immediately"
    daily_digest = "daily_digest"
    off = "off"


class EmailState(StrEnum):
    pending = "pending"  # to send at once
    sending = "sending"  # claimed by one sender at emailed_at; pending again if that sender died
    digest = "digest"  # to send with the next daily digest
    sent = "sent"
    none = "none"  # the person wants no e-mail
