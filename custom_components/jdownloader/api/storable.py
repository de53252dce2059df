"""Declarative JSON storables: every field is declared once, with its JSON key and default.

JDownloader serializes its storables with "omit default values" (docs/protocol.md §10), so a missing
key means the field's default. A model declares its fields with :func:`key`; :func:`storable`
then compiles its ``from_json`` (one generated function per class: as fast as hand-written
code, which matters for 50,000-link answers), its ``row_reader`` for callers that only need a
few fields as plain tuples, and the map from field names to the query keys of JD's
``LinkQuery``/``PackageQuery`` (which are the JSON keys).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import MISSING, Field, field, fields
from typing import Any, ClassVar, Self, cast

type RowReader = Callable[[Mapping[str, Any]], tuple[Any, ...]]


def key(
    json_key: str,
    default: Any = MISSING,
    *,
    convert: Callable[[Any], Any] | None = None,
    repr: bool = True,
) -> Any:
    """A field read from ``json_key``; ``convert`` (if given) is applied to the value read.

    Without a default the key is required (a missing one is a shape error of the answer).
    """
    return field(default=default, repr=repr, metadata={"json": json_key, "convert": convert})


class Storable:
    """Base of the generated storables; :func:`storable` fills in the class attributes."""

    __slots__ = ()
    JSON_KEYS: ClassVar[Mapping[str, str]] = {}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Build the model from one JSON object (generated per class)."""
        raise NotImplementedError

    @classmethod
    def query_keys(cls, names: Iterable[str]) -> list[str]:
        """The JSON keys (= query flags) of the named fields; KeyError for an unknown name."""
        return [cls.JSON_KEYS[name] for name in names]

    @classmethod
    def row_reader(cls, names: Sequence[str]) -> RowReader:
        """A pure function reading just the named fields of a raw row, as a tuple in that order.

        For digests of large answers: a tuple of atoms per row instead of a model object (the
        garbage collector does not track tuples of atoms, and building one is cheaper).
        """
        return _row_reader(cls, tuple(names))


def storable[T: type[Storable]](cls: T) -> T:
    """Compile ``from_json`` and the key map of a ``@dataclass`` built on :class:`Storable`."""
    specs = [_spec(f) for f in _fields(cls)]
    cls.JSON_KEYS = {name: json_key for name, json_key, _, _ in specs}
    namespace: dict[str, Any] = {}
    arguments = []
    for name, json_key, default, convert in specs:
        expression = _read_expression(name, json_key, default, convert, namespace)
        # Positional, in field order: keyword calls cost a third more over 50,000 rows.
        arguments.append(expression)
    source = (
        f"def from_json(cls, data):\n    get = data.get\n    return cls({', '.join(arguments)})\n"
    )
    exec(source, namespace)
    cls.from_json = classmethod(namespace["from_json"])  # type: ignore[method-assign,assignment]
    return cls


def _fields(cls: type[Storable]) -> tuple[Field[Any], ...]:
    return fields(cast(Any, cls))


def _spec(f: Field[Any]) -> tuple[str, str, Any, Callable[[Any], Any] | None]:
    json_key = f.metadata.get("json", f.name)
    return f.name, json_key, f.default, f.metadata.get("convert")


def _read_expression(
    name: str,
    json_key: str,
    default: Any,
    convert: Callable[[Any], Any] | None,
    namespace: dict[str, Any],
) -> str:
    if default is MISSING:
        expression = f"data[{json_key!r}]"
    elif default is None or type(default) in (bool, int, str):
        # A literal: a constant in the generated code, not a name looked up per row.
        expression = f"get({json_key!r}, {default!r})"
    else:
        namespace[f"_default_{name}"] = default
        expression = f"get({json_key!r}, _default_{name})"
    if convert is not None:
        namespace[f"_convert_{name}"] = convert
        expression = f"_convert_{name}({expression})"
    return expression


_READERS: dict[tuple[type[Storable], tuple[str, ...]], RowReader] = {}


def _row_reader(cls: type[Storable], names: tuple[str, ...]) -> RowReader:
    if (cached := _READERS.get((cls, names))) is not None:
        return cached
    specs = {f.name: _spec(f) for f in _fields(cls)}
    namespace: dict[str, Any] = {}
    parts = [_read_expression(*specs[name], namespace) for name in names]
    trailing = "," if len(parts) == 1 else ""
    source = f"def read(data):\n    get = data.get\n    return ({', '.join(parts)}{trailing})\n"
    exec(source, namespace)
    reader: RowReader = namespace["read"]
    _READERS[cls, names] = reader
    return reader
