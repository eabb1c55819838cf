"""geoflex's place-name key, loaded straight from its module file.

The build must not import the ``geoflex`` package itself: its resolver reads the very tables
this build writes. ``geoflex/reference/_keys.py`` depends on the standard library and polars only.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

_PATH = Path(__file__).resolve().parent.parent / "geoflex" / "reference" / "_keys.py"
_spec = importlib.util.spec_from_file_location("_geoflex_place_keys", _PATH)
assert _spec is not None
assert _spec.loader is not None
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)

place_key = _module.place_key
place_key_expr = _module.place_key_expr
