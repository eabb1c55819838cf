"""Field names of the three TaskRouter event shapes, the canonical event, and Insights attributes.

Every leaf is read as a string (JSON numbers and booleans arrive as their text, objects as
their JSON) and typed afterwards, so one odd value never fails a whole batch.
"""

from __future__ import annotations

import polars as pl

__all__ = [
    "CALLBACK_FIELDS",
    "CANONICAL_SCHEMA",
    "CONVERSATION_ATTRIBUTES",
    "CONVERSATION_MEASURES",
    "CUSTOMER_ATTRIBUTES",
    "EVENT_FIELDS",
    "RAW_SCHEMA",
    "TASK_ATTRIBUTES_SCHEMA",
    "WORKER_ATTRIBUTES",
    "WORKER_ATTRIBUTES_SCHEMA",
    "batch_schema",
]

#: Snake_case event fields used from Event Streams payloads and REST ``event_data``.
EVENT_FIELDS: tuple[str, ...] = (
    "eventtype",
    "event_type",
    "timestamp",
    "timestamp_ms",
    "event_date_ms",
    "event_date",
    "sid",
    "task_sid",
    "task_attributes",
    "task_age",
    "task_queue_name",
    "task_channel_unique_name",
    "task_canceled_reason",
    "worker_sid",
    "worker_name",
    "worker_attributes",
)

#: Event Callback (form post) names -> the snake_case names above.
CALLBACK_FIELDS: dict[str, str] = {
    "EventType": "eventtype",
    "Sid": "sid",
    "Timestamp": "timestamp",
    "TimestampMs": "timestamp_ms",
    "TaskSid": "task_sid",
    "TaskAttributes": "task_attributes",
    "TaskAge": "task_age",
    "TaskQueueName": "task_queue_name",
    "TaskChannelUniqueName": "task_channel_unique_name",
    "TaskCanceledReason": "task_canceled_reason",
    "WorkerSid": "worker_sid",
    "WorkerName": "worker_name",
    "WorkerAttributes": "worker_attributes",
}

_PAYLOAD = pl.Struct(dict.fromkeys(EVENT_FIELDS, pl.String()))

#: One schema that reads any of the three shapes from a JSON object.
RAW_SCHEMA: dict[str, pl.DataType] = {
    # CloudEvents envelope (Event Streams)
    "id": pl.String(),
    "type": pl.String(),
    "time": pl.String(),
    "data": pl.Struct({"payload": _PAYLOAD, **dict.fromkeys(EVENT_FIELDS, pl.String())}),
    # REST Events rows: event_data holds the event's fields
    "event_data": _PAYLOAD,
    # snake_case at top level (REST rows, logged payloads)
    **dict.fromkeys(EVENT_FIELDS, pl.String()),
    # Event Callback posts logged as JSON
    **dict.fromkeys(CALLBACK_FIELDS, pl.String()),
}


def batch_schema(
    batch: bytes | bytearray | memoryview, *, sample_bytes: int = 1 << 16
) -> dict[str, pl.DataType]:
    """The part of ``RAW_SCHEMA`` for the shape(s) seen at the start of ``batch``.

    Fields absent from the data cost polars as much as present ones (a null per row per
    field), so each batch is read with the fields of its own shape only. The shape keys
    (``data``, ``payload``, ``event_data``, ``EventType``...) occur on every line of a shape,
    so the first 64 kB tell which shapes a batch holds; a line of another shape later in the
    batch reads as empty and is reported as a problem, never dropped silently.
    """
    head = bytes(batch[:sample_bytes])
    fields = pl.Struct(dict.fromkeys(EVENT_FIELDS, pl.String()))
    schema: dict[str, pl.DataType] = {}
    if b'"data"' in head:
        schema |= {"id": pl.String(), "type": pl.String(), "time": pl.String()}
        schema["data"] = pl.Struct({"payload": fields}) if b'"payload"' in head else fields
    if b'"event_data"' in head:
        schema["event_data"] = fields
    if b'"event_type"' in head or (b'"eventtype"' in head and "data" not in schema):
        schema |= dict.fromkeys(EVENT_FIELDS, pl.String())
    if b'"EventType"' in head:
        schema |= dict.fromkeys(CALLBACK_FIELDS, pl.String())
    return schema or RAW_SCHEMA


#: The event every shape is normalized to.
CANONICAL_SCHEMA: dict[str, pl.DataType] = {
    "file": pl.String(),
    "line": pl.Int64(),
    "event_sid": pl.String(),
    "event_type": pl.String(),
    "ts": pl.Datetime("ms", "UTC"),
    "task_sid": pl.String(),
    "task_attributes": pl.String(),
    "task_age": pl.Int64(),
    "task_queue_name": pl.String(),
    "task_channel_unique_name": pl.String(),
    "task_canceled_reason": pl.String(),
    "worker_sid": pl.String(),
    "worker_name": pl.String(),
    "worker_attributes": pl.String(),
}

#: Flex Insights ``conversations`` attributes (strings), besides the numbered families.
CONVERSATION_ATTRIBUTES: tuple[str, ...] = (
    "conversation_id",
    "communication_channel",
    "direction",
    "queue",
    "outcome",
    "segment_link",
    "abandoned",
    "abandoned_phase",
    "campaign",
    "case",
    "content",
    "destination",
    "external_contact",
    "followed_by",
    "hang_up_by",
    "initiated_by",
    "initiative",
    "in_business_hours",
    "service_level",
    "ivr_path",
    "kind",
    "language",
    "preceded_by",
    "priority",
    "productive",
    "virtual",
    *(f"conversation_attribute_{i}" for i in range(1, 11)),
    *(f"conversation_label_{i}" for i in range(1, 11)),
)
#: Flex Insights ``conversations`` measures (numbers, seconds for times).
CONVERSATION_MEASURES: tuple[str, ...] = (
    "hold_time",
    "ivr_time",
    "talk_time",
    "wrap_up_time",
    "queue_time",
    "ring_time",
    "abandon_time",
    "first_response_time",
    "focus_time",
    "handling_time",
    *(f"conversation_measure_{i}" for i in range(1, 11)),
)
#: Flex Insights ``customers`` attributes.
CUSTOMER_ATTRIBUTES: tuple[str, ...] = (
    "name",
    "phone",
    "email",
    "zip",
    "city",
    "state",
    "area",
    "country",
    "region",
    "category",
    "market_segment",
    "organization",
    "organization_id",
    "external_id",
    "customer_link",
    "acquisition_date",
    "gender",
    "industry",
    "manager",
    "year_of_birth",
    *(f"customer_attribute_{i}" for i in range(1, 6)),
    *(f"customer_label_{i}" for i in range(1, 6)),
)
# Top-level task attributes that carry the customer's address in Flex channels.
_TOP_LEVEL: tuple[str, ...] = ("from", "to", "caller", "called", "name", "channelType", "direction")

TASK_ATTRIBUTES_SCHEMA: dict[str, pl.DataType] = {
    **dict.fromkeys(_TOP_LEVEL, pl.String()),
    "conversations": pl.Struct(
        dict.fromkeys(CONVERSATION_ATTRIBUTES + CONVERSATION_MEASURES, pl.String())
    ),
    "customers": pl.Struct(dict.fromkeys(CUSTOMER_ATTRIBUTES, pl.String())),
}

#: Worker attributes that Flex Insights reads into its agents table.
WORKER_ATTRIBUTES: tuple[str, ...] = (
    "full_name",
    "email",
    "roles",
    "contact_uri",
    "location",
    "flex_location",
    "team_id",
    "team_name",
    "team_name_in_hierarchy",
    "department_id",
    "department_name",
    "department_name_in_hierarchy",
    "manager",
    "role",
    "employee_id",
    *(f"agent_attribute_{i}" for i in range(1, 5)),
)
WORKER_ATTRIBUTES_SCHEMA: dict[str, pl.DataType] = dict.fromkeys(WORKER_ATTRIBUTES, pl.String())
