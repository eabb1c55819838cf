"""The hostile strings every place data can enter a report is tried with.

Template payloads are written so that evaluation leaves a mark no page has otherwise:
``gfEVALED`` (an expression), ``gfLOOPgfLOOPgfLOOP`` (a statement), ``gfSHELL42`` (a shell
command's output) and a file created by a shell command (:func:`touch_payload`).
"""

from __future__ import annotations

from pathlib import Path

TEMPLATE = (
    "{{7*7}}",
    "{{ 'gf' ~ 'EVAL' ~ 'ED' }}",
    "{% for x in range(3) %}X{% endfor %}",
    "{% for x in range(3) %}gfLOOP{% endfor %}",
    "{{ cycler.__init__.__globals__.os.popen('echo gfSHELL$((6*7))').read() }}",
    "{#",
    "{{",
    "}}",
    "{%",
    "%}",
    "#}",
    "{{ self }}{{ config }}{{ request }}",
    "${7*7}#{7*7}<%= 7*7 %>",
)
HTML = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "\"'><svg onload=alert(1)>",
    "</script><script>alert(2)</script>",
    "</iframe><img src=x onerror=alert(3)>",
    "&lt;b&gt;already escaped&amp;",
    "back\\slash \u2028line\u2029sep",
)
#: Marks that only evaluation could produce.
EVALUATED = ("gfEVALED", "gfLOOPgfLOOPgfLOOP", "gfSHELL42")


def touch_payload(marker: Path) -> str:
    """A payload that creates ``marker`` if it ever runs as a template."""
    return f"{{{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}}}"


def payloads(marker: Path) -> list[str]:
    return [*TEMPLATE, touch_payload(marker), *HTML]
