"""What the sample contact centre looks like: countries, queues, Flex Locations, names.

Plain data, kept apart from the generator's mechanics so it reads like a description.
"""

from __future__ import annotations

from typing import Any

#: Relative share of customers per country: heavier in North America and Europe.
COUNTRY_WEIGHTS: dict[str, float] = {
    "US": 50, "CA": 7, "MX": 3, "GB": 7, "DE": 5, "FR": 4, "ES": 3, "IT": 2.5, "NL": 2,
    "IE": 1.5, "SE": 1, "PL": 1, "PT": 1, "BE": 1, "CH": 1, "AT": 0.5, "DK": 0.5, "NO": 0.5,
    "FI": 0.5, "BR": 2.5, "AR": 1, "CO": 1, "CL": 0.5, "AU": 2, "NZ": 0.5, "IN": 2, "JP": 1,
    "SG": 0.5, "PH": 1, "ZA": 1, "NG": 0.5, "KE": 0.5, "AE": 0.5, "IL": 0.5,
}  # fmt: skip
SPANISH_SPEAKING = ("MX", "ES", "AR", "CO", "CL")

#: Contacts per local hour of day (0-23) and per weekday (Monday first), relative.
LOCAL_HOUR_WEIGHTS = (
    0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 1.6, 2.4, 2.8, 2.7,
    2.2, 2.4, 2.6, 2.5, 2.2, 1.7, 1.2, 0.9, 0.7, 0.5, 0.4, 0.3,
)  # fmt: skip
WEEKDAY_WEIGHTS = (1.15, 1.05, 1.0, 1.0, 0.95, 0.45, 0.3)

CHANNELS = ("voice", "chat", "sms", "whatsapp")
CHANNEL_WEIGHTS = (0.6, 0.18, 0.1, 0.12)
VOICE_QUEUES = ("Sales", "Support", "Billing")
VOICE_QUEUE_WEIGHTS = (0.3, 0.45, 0.25)
TRANSFER_QUEUES = ("Billing", "Tier 2 Support", "Retention")
# Median seconds (log-normal) of waiting and talking, per channel.
WAIT_MEDIAN = {"voice": 35.0, "chat": 50.0, "sms": 120.0, "whatsapp": 120.0}
TALK_MEDIAN = {"voice": 240.0, "chat": 480.0, "sms": 600.0, "whatsapp": 600.0}
ABANDON_RATE = {"voice": 0.07, "chat": 0.05, "sms": 0.02, "whatsapp": 0.02}

REASONS = (
    "Billing question", "Technical issue", "New order", "Cancellation", "Delivery status",
    "Account access", "Product information", "Complaint",
)  # fmt: skip
PRODUCTS = ("Fiber 500", "Fiber 1000", "Mobile Plus", "Mobile Lite", "TV Basic")
OUTCOMES = ("Resolved", "Resolved", "Resolved", "Follow-up", "Escalated", "Sale")
CATEGORIES = ("Gold", "Silver", "Bronze")
SEGMENTS = ("Consumer", "Consumer", "Consumer", "SMB", "Enterprise")
ORGANIZATIONS = ("Acme Corp", "Globex", "Initech", "Umbrella", "Stark Industries", "Hooli")

FIRST_NAMES = (
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Mateo", "Sofia", "Lucas", "Mia", "Leon",
    "Chloe", "Hugo", "Aisha", "Arjun", "Yuki", "Kenji", "Fatima", "Omar", "Grace", "Ethan",
    "Zoe", "Diego", "Lena", "Jonas", "Priya", "Chen", "Amara", "Tariq", "Ingrid", "Pablo",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Garcia", "Müller", "Martin", "Rossi", "Kowalski", "Silva", "Murphy", "Jansen",
    "Johansson", "Nguyen", "Patel", "Tanaka", "Okafor", "Cohen", "Dubois", "Schmidt", "Lopez",
    "Brown", "Wilson", "Santos", "Kim", "Novak", "O'Brien", "Andersen", "Costa", "Reyes",
)  # fmt: skip

#: Flex Locations of the sample centre: (name, voice edges in fallback order, agent
#: ``location`` attribute, share of workers). "Remote" agents carry a location that no
#: gazetteer knows, so placement has an "unknown" case to show.
FLEX_LOCATIONS: tuple[tuple[str, tuple[str, ...], str, float], ...] = (
    ("Seattle", ("umatilla", "roaming"), "Seattle, WA, US", 0.25),
    ("Austin", ("ashburn", "umatilla"), "Austin, TX, US", 0.22),
    ("Toronto", ("ashburn", "roaming"), "Toronto, ON, CA", 0.1),
    ("Dublin", ("dublin", "frankfurt"), "Dublin, IE", 0.2),
    ("Manila", ("singapore", "tokyo"), "Manila, PH", 0.15),
    ("Remote", ("roaming",), "Home office", 0.08),
)
DEPARTMENTS = ("Sales", "Support", "Billing")
TEAMS = ("Alpha", "Bravo", "Charlie")

#: The contact centre's own timezone (for "centre time" intervals) and numbers.
CENTRE_TIMEZONE = "America/Chicago"
CENTRE_NUMBER = "+18885550142"
ACCOUNT_SID = "AC" + "5a" * 16
WORKSPACE_SID = "WS" + "c3" * 16
WORKSPACE_NAME = "Sample Contact Centre"


def ui_attributes() -> dict[str, Any]:
    """The sample's Flex ``ui_attributes`` (as the Flex Configuration API returns them)."""
    return {
        "colorTheme": {"baseName": "FlexLight"},
        "locations": [{"name": name, "edge": list(edges)} for name, edges, _, _ in FLEX_LOCATIONS],
    }
