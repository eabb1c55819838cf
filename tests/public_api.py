"""What geoflex promises to keep: its public modules and the names each one exports.

A module is public when no part of its dotted name starts with ``_``; what it exports is its
``__all__``. ``render()`` writes that surface as text (names, kinds, signatures, the values
of ``Literal`` aliases), which tests/public_api.txt keeps as the snapshot and the API
reference pages of the documentation are generated from, so the two cannot disagree.

To accept a deliberate change of the public API, regenerate the snapshot::

    python -m tests.public_api
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import typing
from pathlib import Path
from types import ModuleType
from typing import Any

import geoflex

SNAPSHOT = Path(__file__).with_name("public_api.txt")
UPDATE_COMMAND = "python -m tests.public_api"


def public_modules() -> list[str]:
    """Dotted names of geoflex's public modules, sorted (the package itself first)."""
    names = ["geoflex"]
    for info in pkgutil.walk_packages(geoflex.__path__, "geoflex."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return sorted(names)


class _Annotation(str):
    """An annotation kept as the source wrote it (``str``, not ``'str'``) when printed."""

    def __repr__(self) -> str:
        return str(self)


def _signature(obj: Any) -> str:
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):  # builtins without a signature
        return "(...)"

    def plain(annotation: Any) -> Any:
        return _Annotation(annotation) if isinstance(annotation, str) else annotation

    params = [p.replace(annotation=plain(p.annotation)) for p in sig.parameters.values()]
    return str(sig.replace(parameters=params, return_annotation=plain(sig.return_annotation)))


def _members(cls: type) -> list[str]:
    """Public methods, properties and fields a class defines itself or inherits from geoflex."""
    lines: dict[str, str] = {}
    fields = {f.name for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else set()
    for klass in reversed(cls.__mro__):
        if not klass.__module__.startswith("geoflex"):
            continue
        for name, value in vars(klass).items():
            if name.startswith("_") or name in fields:
                continue
            if isinstance(value, property):
                lines[name] = f"    {name} (property)"
            elif isinstance(value, (classmethod, staticmethod)):
                kind = type(value).__name__
                lines[name] = f"    {name}{_signature(value.__func__)} ({kind})"
            elif inspect.isfunction(value):
                lines[name] = f"    {name}{_signature(value)}"
            else:
                lines[name] = f"    {name}: {type(value).__name__}"
    return [lines[name] for name in sorted(lines)]


def describe(name: str, obj: Any) -> list[str]:
    """The snapshot lines of one exported name."""
    if inspect.isclass(obj):
        bases = ", ".join(b.__name__ for b in obj.__bases__ if b is not object)
        head = f"class {name}({bases})" if bases else f"class {name}"
        if issubclass(obj, BaseException) or getattr(obj, "_is_protocol", False):
            return [head, *_members(obj)]
        return [f"{head}{_signature(obj)}", *_members(obj)]
    if inspect.isfunction(obj) or inspect.isbuiltin(obj) or hasattr(obj, "__wrapped__"):
        return [f"def {name}{_signature(obj)}"]
    if typing.get_origin(obj) is not None:  # a Literal (or other typing) alias
        return [f"{name} = {obj!r}".replace("typing.", "")]
    if isinstance(obj, ModuleType):
        return [f"module {name}"]
    if callable(obj):  # e.g. a click command
        return [f"{name}: {type(obj).__module__}.{type(obj).__qualname__}"]
    if isinstance(obj, (tuple, frozenset)) and all(isinstance(v, str) for v in obj):
        values = obj if isinstance(obj, tuple) else sorted(obj)
        return [f"{name}: {type(obj).__name__} = {tuple(values)!r}"]
    return [f"{name}: {type(obj).__name__}"]


def module_all(module: ModuleType) -> list[str]:
    exported = getattr(module, "__all__", None)
    if exported is None:
        raise AssertionError(f"{module.__name__} is public but has no __all__")
    return list(exported)


def render() -> str:
    """The whole public surface as text, module by module."""
    out: list[str] = []
    for dotted in public_modules():
        module = importlib.import_module(dotted)
        out.append(f"[{dotted}]")
        for name in module_all(module):
            out += describe(name, getattr(module, name))
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    SNAPSHOT.write_text(render(), encoding="utf-8")
    print(f"wrote {SNAPSHOT}")
