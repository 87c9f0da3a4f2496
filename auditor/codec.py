"""Model records ↔ plain JSON data, so results can be cached without pickle.

`to_data` turns frozen dataclasses into dicts/lists; `from_data(cls, data)` rebuilds them from
the type hints. Only the record types of auditor.model (and the batch result) go through here.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from functools import lru_cache
from typing import Any

_PLAIN = (str, int, float, bool, type(None))


def to_data(obj: Any) -> Any:
    if isinstance(obj, _PLAIN):
        return obj
    names = _field_names(type(obj))
    if names is not None:
        data = {name: to_data(getattr(obj, name)) for name in names}
        tag = getattr(type(obj), "RECORD_TAG", None)
        if tag:
            data["@"] = tag  # a subtype stored where its base type is declared (SelfEvaluation in projects)
        return data
    if isinstance(obj, (list, tuple)):
        return [to_data(v) for v in obj]
    if isinstance(obj, dict):
        return {k: to_data(v) for k, v in obj.items()}
    return obj


@lru_cache(maxsize=256)
def _field_names(cls: type) -> tuple[str, ...] | None:
    """A dataclass's field names (None for other types), looked up once per class (encoding is hot)."""
    return tuple(f.name for f in dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else None


@lru_cache(maxsize=64)
def _hints(cls: type) -> dict[str, Any]:
    import sys

    module = sys.modules[cls.__module__]
    return typing.get_type_hints(cls, vars(module))


def from_data(tp: Any, data: Any) -> Any:
    """Rebuild a value of type `tp` (a dataclass, tuple[...], dict[...], Optional, Literal, …)."""
    return _decoder(tp)(data)


_IDENTITY: Callable[[Any], Any] = lambda data: data  # noqa: E731


@lru_cache(maxsize=256)
def _decoder(tp: Any) -> Callable[[Any], Any]:
    """A function that rebuilds `tp` from plain data, built once per type (decoding is hot)."""
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        hints = _hints(tp)
        fields = [(f.name, _decoder(hints[f.name])) for f in dataclasses.fields(tp)]
        plain = [name for name, decode in fields if decode is _IDENTITY]  # taken as they are
        built = [(name, decode) for name, decode in fields if decode is not _IDENTITY]
        tagged = {c.RECORD_TAG: c for c in tp.__subclasses__() if getattr(c, "RECORD_TAG", None)}

        def decode_dataclass(data: Any) -> Any:
            if data is None:
                return None
            if tagged and data.get("@") in tagged:
                return _decoder(tagged[data["@"]])(data)
            values = {name: data[name] for name in plain if name in data}
            for name, decode in built:
                if name in data:
                    values[name] = decode(data[name])
            return tp(**values)
        return decode_dataclass
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        inner = _decoder(args[0]) if len(args) == 1 else _IDENTITY
        if inner is _IDENTITY:
            return _IDENTITY
        return lambda data: None if data is None else inner(data)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])
            if item is _IDENTITY:
                return lambda data: None if data is None else tuple(data)
            return lambda data: None if data is None else tuple([item(v) for v in data])
        items = [_decoder(a) for a in args]
        return lambda data: None if data is None else tuple(d(v) for d, v in zip(items, data, strict=False))
    if origin is list:
        (arg,) = typing.get_args(tp)
        item = _decoder(arg)
        return lambda data: None if data is None else [item(v) for v in data]
    if origin is dict:
        value = _decoder(typing.get_args(tp)[1])
        return lambda data: None if data is None else {k: value(v) for k, v in data.items()}
    if tp is float:
        return lambda data: None if data is None else float(data)
    return _IDENTITY
