"""Reading message records from JSON Lines or CSV, one at a time, with a line number for every problem.

A bad record never stops the stream: it comes out as a :class:`RecordError` in its place. Errors name the line
and the problem, never the message text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, Literal

import orjson

from smsguard.errors import InputError
from smsguard.intake import as_message
from smsguard.model import Message

InputFormat = Literal["jsonl", "csv"]


@dataclass(frozen=True, slots=True)
class Record:
    """One usable input record: its 1-based line number, its id (if any) and the message."""

    line: int
    id: Any
    message: Message
    fields: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RecordError:
    """An input line that could not be used."""

    line: int
    id: Any
    error: str

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"line": self.line, "error": self.error}
        if self.id is not None:
            out = {"id": self.id, **out}
        return out


_LONG_NUMBER = re.compile(rb"\d{19}")


def read_records(stream: BinaryIO, fmt: InputFormat = "jsonl") -> Iterator[Record | RecordError]:
    """Records of a binary stream in order; ``fmt`` is ``jsonl`` or ``csv`` (with a header row)."""
    if fmt == "csv":
        yield from _csv_records(stream)
        return
    for number, raw in enumerate(stream, 1):
        # orjson parses the common case several times faster. What it refuses (bad UTF-8, lone surrogates, NaN,
        # blank lines) takes the json path below, which names the problem; so does a run of 19 digits or more,
        # because orjson reads an integer beyond 64 bits as a float (an id or a sender would lose digits).
        if _LONG_NUMBER.search(raw) is None:
            try:
                obj = orjson.loads(raw)
            except orjson.JSONDecodeError:
                pass
            else:
                yield record_from_object(number, obj)
                continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield RecordError(number, None, f"not UTF-8 at byte {exc.start}")
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield RecordError(number, None, f"invalid JSON: {exc.msg} at column {exc.colno}")
            continue
        except (ValueError, RecursionError):
            yield RecordError(number, None, "invalid JSON: nested too deeply or a number too large")
            continue
        yield record_from_object(number, obj)


def record_from_object(number: int, obj: Any) -> Record | RecordError:
    if not isinstance(obj, dict):
        return RecordError(number, None, "a line must hold a JSON object")
    record_id = obj.get("id")
    try:
        message = as_message(obj)
    except InputError as exc:
        return RecordError(number, record_id, str(exc))
    return Record(number, record_id, message, obj)


def _csv_records(stream: BinaryIO) -> Iterator[Record | RecordError]:
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline="")
    reader = csv.DictReader(text)
    if reader.fieldnames is None or "text" not in reader.fieldnames:
        yield RecordError(1, None, "the CSV header row must have a 'text' column")
        return
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # its messages name the problem, never the field's content
            yield RecordError(reader.line_num, None, f"bad CSV row: {exc}")
            continue
        yield record_from_object(reader.line_num, {k: v for k, v in row.items() if k is not None})


def lines_as_stream(lines: Iterable[str]) -> BinaryIO:
    """A binary stream over text lines (for tests and the Python API)."""
    return io.BytesIO("".join(line if line.endswith("\n") else line + "\n" for line in lines).encode("utf-8"))
