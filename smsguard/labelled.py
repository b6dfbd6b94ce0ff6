"""Labelled messages for ``smsguard eval``: one JSON object a line with ``text`` and ``label``, read into
:class:`LabelledRecord` with errors that name the file and line, never the message."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from smsguard.errors import InputError
from smsguard.intake import is_record_id, parse_time, sender_value


@dataclass(frozen=True, slots=True)
class LabelledRecord:
    """One labelled message; ``line`` is its 1-based line in ``source`` (0 and "" when built in code)."""

    id: str
    text: str
    label: str
    sender: str | None = None
    received_at: datetime | None = None
    line: int = 0
    source: str = field(default="", compare=False)

    @property
    def where(self) -> str:
        """``source:line`` as in the errors about the record's line, or ``record 'id'`` when built in code."""
        if not self.line:
            return f"record {self.id!r}"
        return f"{self.source}:{self.line}" if self.source else f"line {self.line}"


def read_labelled(source: str | os.PathLike[str] | Iterable[str], *, name: str | None = None) -> list[LabelledRecord]:
    """Labelled records from a JSON Lines file path, or from an iterable of lines (an open text file).

    Each line is an object with ``text`` and ``label`` (strings), and optional ``id``, ``sender`` and
    ``received_at`` (ISO 8601). Blank lines are skipped. Raises :class:`InputError` naming the source and
    line of the first bad line; the message text itself is never quoted.
    """
    if isinstance(source, str | os.PathLike):
        path = os.fspath(source)
        try:
            with open(path, encoding="utf-8") as stream:
                return list(iter_labelled(stream, name=name or path))
        except OSError as exc:
            raise InputError(f"{name or path}: cannot read labelled file ({exc.strerror})") from None
        except UnicodeDecodeError as exc:
            raise InputError(f"{name or path}: not UTF-8 (byte {exc.start})") from None
    try:
        return list(iter_labelled(source, name=name or "<stream>"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{name or '<stream>'}: not UTF-8 (byte {exc.start})") from None


def iter_labelled(lines: Iterable[str], *, name: str = "<stream>") -> Iterator[LabelledRecord]:
    """Parse labelled JSON Lines lazily; see :func:`read_labelled`. Duplicate ids are an error."""
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        record = _parse_line(line, number, name)
        if record.id in seen:
            raise InputError(f"{name}:{number}: id {record.id!r} already used on line {seen[record.id]}")
        seen[record.id] = number
        yield record


def _parse_line(line: str, number: int, name: str) -> LabelledRecord:
    where = f"{name}:{number}"
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: invalid JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(obj, dict):
        raise InputError(f"{where}: a line must hold a JSON object, not {_json_type(obj)}")
    text = obj.get("text")
    if not isinstance(text, str):
        raise InputError(f"{where}: 'text' must be a string, not {_json_type(text)}")
    label = obj.get("label")
    if not isinstance(label, str) or not label.strip():
        raise InputError(f"{where}: 'label' must be a non-empty string")
    raw_id = obj.get("id")
    if raw_id is None:
        record_id = f"line {number}"
    elif is_record_id(raw_id):
        record_id = str(raw_id)
    else:
        raise InputError(f"{where}: 'id' must be a string or an integer, not {_json_type(raw_id)}")
    try:
        sender = sender_value(obj.get("sender"))
    except InputError:
        raise InputError(f"{where}: 'sender' must be a string, not {_json_type(obj.get('sender'))}") from None
    received_at: datetime | None = None
    raw_time = obj.get("received_at")
    if raw_time not in (None, ""):
        if not isinstance(raw_time, str):
            raise InputError(f"{where}: 'received_at' must be an ISO 8601 string")
        try:
            received_at = parse_time(raw_time)
        except InputError as exc:
            raise InputError(f"{where}: {exc}") from None
    return LabelledRecord(
        id=record_id,
        text=text,
        label=label.strip(),
        sender=sender,
        received_at=received_at,
        line=number,
        source=name,
    )


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")
