"""Public names that load on first use (PEP 562), so ``import geoflex`` stays quick.

A package lists where each of its public names lives; the module holding it is imported
the first time the name is read, and the value is then kept on the package, so later reads
cost nothing. Type checkers see the real imports (under ``TYPE_CHECKING``).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(
    package: str, where: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``, whose name ``n`` lives in the
    module ``where[n]``.

    Examples
    --------
    >>> getattr_, dir_ = lazy_names("geoflex", {"erlang_c": "geoflex.staffing"})
    >>> getattr_("erlang_c").__name__, "erlang_c" in dir_()
    ('erlang_c', True)
    """

    def load(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)
        return value

    def names() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(where))

    return load, names
