"""Keep raw phone numbers out of reports unless the user asks for them.

Flex often stores the caller's number as the customer's *name*, so masking columns named
``phone`` is not enough: every string value that looks like a phone number is masked.
"""

from __future__ import annotations

import re
from typing import Any

import polars as pl

__all__ = ["PHONE_COLUMNS", "mask_frame", "mask_phone_numbers", "redact_frame", "redact_value"]

#: Columns that hold phone numbers; `redact_frame` drops them.
PHONE_COLUMNS = frozenset(
    {"phone", "phone_e164", "customer_phone", "customers.phone", "from", "to", "caller", "called"}
)

# 7-15 digits with phone punctuation between them, optionally after a URI scheme or "+".
# Not preceded/followed by a word character or ":" so times ("10:00") and ids stay intact.
_PHONE = r"(?:tel:|sms:|whatsapp:)?\+?\(?\d(?:[ ().\-]{0,2}\d){6,14}"
_PHONE_RE = re.compile(rf"(?<![\w:+]){_PHONE}(?![\w:])")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
# The same pattern for polars (Rust regex has no look-around; boundaries are checked below).
_POLARS_PHONE = rf"(?:^|[^\w:+])({_PHONE})(?:$|[^\w:])"


def _mask(match: re.Match[str]) -> str:
    found = match.group(0)
    if _DATE_RE.fullmatch(found):
        return found
    digits = sum(c.isdigit() for c in found)
    kept = 0
    out = []
    for char in found:
        if char.isdigit():
            kept += 1
            out.append(char if kept > digits - 2 else "\u2022")
        else:
            out.append(char)
    return "".join(out)


def mask_phone_numbers(text: str) -> str:
    """Mask every phone-number-like run of digits, keeping punctuation and the last 2 digits.

    >>> mask_phone_numbers("call +1 (415) 555-0123 at 10:00 on 2026-01-05")
    'call +\u2022 (\u2022\u2022\u2022) \u2022\u2022\u2022-\u2022\u202223 at 10:00 on 2026-01-05'
    >>> mask_phone_numbers("whatsapp:+447700900123")
    'whatsapp:+\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u202223'
    >>> mask_phone_numbers("Support queue 2")
    'Support queue 2'
    """
    return _PHONE_RE.sub(_mask, text)


def redact_value(value: Any, *, show_phone_numbers: bool = False) -> Any:
    """`mask_phone_numbers` for strings (recursing into lists/dicts); other values unchanged."""
    if show_phone_numbers:
        return value
    if isinstance(value, str):
        return mask_phone_numbers(value)
    if isinstance(value, list):
        return [redact_value(v) for v in value]
    if isinstance(value, dict):
        return {k: redact_value(v) for k, v in value.items()}
    return value


def redact_frame(frame: pl.DataFrame, *, show_phone_numbers: bool = False) -> pl.DataFrame:
    """Drop phone columns and mask phone-like values in every string column.

    >>> df = pl.DataFrame({"customer": ["+14155550123", "Ada"], "phone": ["+14155550123", None]})
    >>> redact_frame(df).to_dict(as_series=False)
    {'customer': ['+\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u202223', 'Ada']}
    """
    if show_phone_numbers:
        return frame
    return mask_frame(frame.drop([c for c in frame.columns if c.lower() in PHONE_COLUMNS]))


def mask_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Mask phone-like values in every string column (`mask_phone_numbers`); keep columns.

    >>> mask_frame(pl.DataFrame({"phone": ["+14155550123", None]}))["phone"].to_list()
    ['+\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u202223', None]
    """
    masks = []
    for name, dtype in frame.schema.items():
        if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
            column = frame.get_column(name).cast(pl.String)
            # Only values that may hold a phone number go through Python.
            suspect = column.str.contains(_POLARS_PHONE).fill_null(False)
            if suspect.any():
                masked = column.map_elements(mask_phone_numbers, return_dtype=pl.String)
                masks.append(pl.when(suspect).then(masked).otherwise(column).alias(name))
    return frame.with_columns(masks) if masks else frame
