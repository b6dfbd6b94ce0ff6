"""Reading JSON Lines records: the fast parser and the json fallback agree, and bad lines name their problem."""

from __future__ import annotations

import io
import json

from smsguard.cli.common import dumps, dumps_bytes
from smsguard.records import Record, RecordError, read_records


def read(data: bytes) -> list[Record | RecordError]:
    return list(read_records(io.BytesIO(data), "jsonl"))


def test_plain_lines_and_lines_only_json_accepts_give_the_same_records() -> None:
    records = read(
        b'{"id": 1, "text": "\xe4\xbd\xa0\xe5\xa5\xbd", "sender": "95555"}\n'
        b"\n   \n"
        b'{"id": 2, "text": "a\\ud800b"}\n'  # a lone surrogate escape: orjson refuses it, json takes it
        b'{"id": 3, "text": "x", "score": NaN}\n'
    )
    assert [r.line for r in records] == [1, 4, 5]
    assert all(isinstance(r, Record) for r in records)
    texts = [r.message.text for r in records if isinstance(r, Record)]
    assert texts == ["你好", "a\ud800b", "x"]


def test_bad_lines_become_errors_with_their_line_numbers() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    records = read(b'{"text": "ok"}\n\xff\xfe\n{not json\n' + deep + b"\n[1, 2]\n")
    errors = {r.line: r.error for r in records if isinstance(r, RecordError)}
    assert errors[2].startswith("not UTF-8")
    assert errors[3].startswith("invalid JSON")
    assert errors[4].startswith("invalid JSON")
    assert errors[5] == "a line must hold a JSON object"


def test_compact_output_parses_like_the_readable_one() -> None:
    obj = {"text": "您的欠款", "spans": [(0, 2)], "score": 0.632121, "big": 2**70, "odd": "a\ud800"}
    assert json.loads(dumps_bytes({k: v for k, v in obj.items() if k != "odd"})) == json.loads(
        dumps({k: v for k, v in obj.items() if k != "odd"})
    )
    assert json.loads(dumps_bytes(obj)) == json.loads(dumps(obj))  # orjson refuses both: the json fallback
    assert b" " not in dumps_bytes({"a": [1, 2]})


def test_integers_beyond_64_bits_keep_every_digit() -> None:
    (record,) = read(b'{"id": 12345678901234567890123, "text": "x", "sender": 106901234567890123456}\n')
    assert isinstance(record, Record)
    assert record.id == 12345678901234567890123
    assert record.message.sender == "106901234567890123456"


def test_compact_output_is_compact_and_finite_on_both_paths() -> None:
    nan = float("nan")
    fast = dumps_bytes({"a": [1, 2], "x": nan})
    slow = dumps_bytes({"a": [1, 2], "x": nan, "odd": "\ud800", "big": 2**70})  # the json fallback
    assert fast == b'{"a":[1,2],"x":null}'
    assert slow.startswith(b'{"a":[1,2],"x":null,') and b" " not in slow
    assert json.loads(slow)["big"] == 2**70
