"""Reading message records from JSON Lines or CSV, one at a time, with a line number for every problem.

Every input line (every CSV row) gives exactly one item, in order, so that output lines align with input lines: a
bad record never stops the stream but comes out as a :class:`RecordError` in its place. Errors name the line and
the problem, never the message text. A UTF-8 byte order mark at the start of the input is ignored.
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
from smsguard.intake import as_message, is_record_id
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


_BOM = b"\xef\xbb\xbf"
_LONG_NUMBER = re.compile(rb"\d{19}")
# What decoding with errors="surrogateescape" makes of a byte that is not UTF-8 (real UTF-8 never decodes to these).
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def read_records(stream: BinaryIO, fmt: InputFormat = "jsonl") -> Iterator[Record | RecordError]:
    """Records of a binary stream in order; ``fmt`` is ``jsonl`` or ``csv`` (with a header row)."""
    if fmt == "csv":
        return _csv_records(stream)
    return jsonl_records(stream)


def jsonl_records(lines: Iterable[bytes], first_line: int = 1) -> Iterator[Record | RecordError]:
    """One record or error per line of JSON Lines, given as byte lines (a binary stream, or a part of one whose
    first line is number ``first_line``); a blank line is an error too. The byte order mark is dropped from line 1
    only, and an input of nothing else gives nothing."""
    for number, raw in enumerate(lines, first_line):
        if number == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
            if not raw:
                continue
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
            yield RecordError(number, None, "empty line")
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
    """The record of a decoded line: an object with a ``text`` string, optional ``sender`` and ``received_at`` (see
    :func:`~smsguard.intake.as_message`) and an optional ``id``, a string or an integer, carried through as it is
    (null is no id)."""
    if not isinstance(obj, dict):
        return RecordError(number, None, "a line must hold a JSON object")
    record_id = obj.get("id")
    if record_id is not None and not is_record_id(record_id):
        return RecordError(number, None, f"id must be a string or an integer, not {type(record_id).__name__}")
    try:
        message = as_message(obj)
    except InputError as exc:
        return RecordError(number, record_id, str(exc))
    return Record(number, record_id, message, obj)


def _csv_records(stream: BinaryIO) -> Iterator[Record | RecordError]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    reader = csv.reader(text)
    try:
        header = next(reader, [])
    except csv.Error as exc:
        yield RecordError(reader.line_num, None, f"bad CSV header row: {exc}")
        return
    bad = _first_bad_byte(header)
    if bad is not None:
        yield RecordError(reader.line_num, None, f"the CSV header row is {bad}")
        return
    names = [name.strip().lower() for name in header]
    if "text" not in names:
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
        if not any(field.strip() for field in row):
            yield RecordError(reader.line_num, None, "empty row")
            continue
        fields = dict(zip(names, row, strict=False))  # a short row lacks the last columns; extra fields are dropped
        bad = _first_bad_byte(row)
        if bad is not None:
            record_id = fields.get("id")
            known = record_id is not None and _ESCAPED_BYTE.search(record_id) is None
            yield RecordError(reader.line_num, record_id if known else None, bad)
            continue
        yield record_from_object(reader.line_num, fields)


def _first_bad_byte(fields: list[str]) -> str | None:
    """Where the first byte that is not UTF-8 is in a CSV row decoded with ``surrogateescape``, or None."""
    for column, field in enumerate(fields, 1):
        escaped = _ESCAPED_BYTE.search(field)
        if escaped is not None:
            return f"not UTF-8 at byte {len(field[: escaped.start()].encode('utf-8'))} of column {column}"
    return None
