"""The glossary page: every number the reports show, defined once, with its denominator."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from geoflex.report._base import Report, Section

__all__ = ["Definitions", "glossary_entries", "glossary_report"]


def glossary_entries(
    *, threshold_s: float = 20.0, short_abandon_s: float = 5.0, business_hours_only: bool = False
) -> list[tuple[str, str]]:
    """(term, definition) pairs, in reading order, with the thresholds in use."""
    hours = (
        "Only segments that Flex Insights marked as in business hours "
        "(conversations.in_business_hours = Yes) are counted."
        if business_hours_only
        else "All hours are counted (business hours and outside them)."
    )
    return [
        ("Conversation", "One customer contact: the tasks that share a conversation id "
         "(Flex Insights' conversations.conversation_id; a task without one is its own "
         "conversation). A transfer adds a segment, not a conversation."),
        ("Segment (task)", "One TaskRouter task that ended (completed or canceled): one offer "
         "of a conversation to a queue and, when answered, one agent's handling of it."),
        ("Answered", "A segment an agent accepted and that was not abandoned."),
        ("Abandoned", "A segment whose caller left before an agent accepted it (a canceled "
         "task). Where the task attributes carry Flex Insights' own conversations.abandoned "
         "(Yes/No) or conversations.abandoned_phase, that value is used instead of the "
         "cancellation."),
        ("Short abandon", f"An abandon after less than {short_abandon_s:g} seconds of waiting "
         "(a misdial, a hang-up during the greeting). Short abandons are counted on their own "
         "and left out of every rate: they are neither offered nor abandoned."),
        ("Offered", "Answered + abandoned segments (short abandons excluded). The "
         "denominator of service level and abandonment rate. Segments neither answered nor "
         "abandoned (moved on by a workflow without reaching an agent) are counted as segments "
         "only."),
        ("Service level", f"Segments answered within {threshold_s:g} seconds of waiting, "
         "divided by offered segments. Where the task attributes carry Flex Insights' own "
         "conversations.service_level (Yes/No), that value is used for the segment."),
        ("Average speed of answer", "The mean wait, from the task's creation to its "
         "acceptance, of the answered segments (h:mm:ss)."),
        ("Abandonment rate", "Abandoned segments divided by offered segments."),
        ("Handle time", "From acceptance to the end of wrap-up, per answered segment; "
         "totals in hours, averages (over answered segments) as h:mm:ss."),
        ("Business hours", hours),
        ("Share", "A place's conversations divided by all conversations in the data "
         "(the denominator is said in each table's header)."),
        ("Place", "A region, country, state or province, city, or North American area code, "
         "keyed by its ISO codes (a city by country, state and name), so one place is one "
         "row. A conversation counts at a level only when its place is known at that "
         "level: a caller known to the state only is not in the cities list."),
        ("Local time", "The customer's wall-clock time in the IANA timezone of the "
         "customer's number (or of the customer's ZIP or coordinates when given)."),
        ("Spike", "An episode of consecutive hours in which a place has far more "
         "conversations than expected: the expected count is the median of the same hour "
         "over earlier weeks or days, as each spike's reason says; a spike needs a robust "
         "score of at least 4 (excess over the median of past deviations, or over the "
         "Poisson spread of the expected count, whichever is larger), at least 5 "
         "conversations, and a count that chance alone gives less than 3.2 times in "
         "100,000."),
        ("Erlang C", "Agents needed when every caller waits as long as it takes: the fewest "
         "agents that answer the target share within the target time, raised to keep "
         "occupancy under the cap."),
        ("Erlang A", "Agents needed when callers hang up after a while (M/M/n+M): as Erlang "
         "C, with each caller's patience exponential, its mean estimated from the data as "
         "total waiting time of offered segments divided by abandons. Needs fewer agents "
         "than Erlang C for the same service level."),
        ("Shrinkage", "The share of paid time agents are unavailable (breaks, training, "
         "meetings): scheduled agents = agents needed / (1 - shrinkage), rounded up."),
        ("Occupancy", "The share of agents' logged-in time spent handling conversations."),
        ("Workload", "Handle time in hours: how many agent-hours the conversations took."),
    ]  # fmt: skip


@dataclass(frozen=True)
class Definitions:
    """A definition list (every term and text escaped)."""

    entries: list[tuple[str, str]]
    needs_vega: bool = field(default=False, init=False)

    def render(self, *, block_id: str) -> str:
        from geoflex.report._env import environment

        return (
            environment()
            .get_template("blocks/definitions.html.j2")
            .render(block_id=block_id, entries=self.entries)
        )


def glossary_report(
    *,
    threshold_s: float = 20.0,
    short_abandon_s: float = 5.0,
    business_hours_only: bool = False,
    title: str = "Contact centre geography",
    links: tuple[tuple[str, str], ...] = (),
    generated: dt.datetime | None = None,
) -> Report:
    """The glossary page (``glossary.html``) every other page links to."""
    entries = glossary_entries(
        threshold_s=threshold_s,
        short_abandon_s=short_abandon_s,
        business_hours_only=business_hours_only,
    )
    return Report(
        title,
        [
            Section(
                "Glossary",
                [Definitions(entries)],
                intro="What every number in these reports means, and what it is out of.",
            )
        ],
        subtitle="Glossary",
        links=links,
        filename="glossary.html",
        generated=generated,
    )
