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
    assert [r.line for r in records] == [1, 2, 3, 4, 5]
    assert [r.error for r in records if isinstance(r, RecordError)] == ["empty line", "empty line"]
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


def read_csv(data: bytes) -> list[Record | RecordError]:
    return list(read_records(io.BytesIO(data), "csv"))


def test_every_line_gives_one_item_and_a_final_newline_adds_none() -> None:
    for data in (b'{"text": "a"}\n\n \t\r\n{"text": "b"}', b'{"text": "a"}\n\n \t\r\n{"text": "b"}\n'):
        records = read(data)
        assert [r.line for r in records] == [1, 2, 3, 4]
        assert [r.error for r in records if isinstance(r, RecordError)] == ["empty line", "empty line"]
    assert read(b"") == []
    assert read(b"\n") == [RecordError(1, None, "empty line")]
    assert [r.line for r in read(b'{"text": "a"}\n\n')] == [1, 2]  # a blank last line is a line


def test_a_byte_order_mark_at_the_start_is_ignored_and_only_there() -> None:
    bom = b"\xef\xbb\xbf"
    first, second = read(bom + b'{"id": "m1", "text": "a"}\n' + bom + b'{"id": "m2", "text": "b"}\n')
    assert isinstance(first, Record) and first.id == "m1"
    assert isinstance(second, RecordError) and second.error.startswith("invalid JSON")
    assert read(bom) == []
    assert read(bom + b"\n") == [RecordError(1, None, "empty line")]


def test_an_id_is_a_string_or_an_integer_or_the_record_is_an_error() -> None:
    good = read(
        b'{"id": "a", "text": "x"}\n{"id": -3, "text": "x"}\n{"id": 123456789012345678901234, "text": "x"}\n'
        b'{"id": null, "text": "x"}\n{"text": "x"}\n{"id": "", "text": "x"}\n'
    )
    assert [r.id for r in good if isinstance(r, Record)] == ["a", -3, 123456789012345678901234, None, None, ""]
    bad = read(
        b'{"id": NaN, "text": "x"}\n{"id": 1e999, "text": "x"}\n{"id": 1.5, "text": "x"}\n{"id": 2.0, "text": "x"}\n'
        b'{"id": true, "text": "x"}\n{"id": [1], "text": "x"}\n{"id": {"a": 1}, "text": "x"}\n'
    )
    assert all(isinstance(r, RecordError) and r.id is None for r in bad)
    assert [r.error for r in bad if isinstance(r, RecordError)] == [
        f"id must be a string or an integer, not {kind}"
        for kind in ("float", "float", "float", "float", "bool", "list", "dict")
    ]


def test_a_sender_or_time_of_the_wrong_type_is_an_error_that_keeps_the_id() -> None:
    records = read(
        b'{"id": 1, "text": "x", "sender": 1.5}\n{"id": 2, "text": "x", "sender": NaN}\n'
        b'{"id": 3, "text": "x", "sender": true}\n{"id": 4, "text": "x", "received_at": 1700000000}\n'
        b'{"id": 5, "text": "x", "received_at": "tomorrow"}\n{"id": 6, "text": "x", "sender": 95555}\n'
    )
    errors = [r for r in records if isinstance(r, RecordError)]
    assert [(r.id, r.error.split(" ")[0]) for r in errors] == [(i, "sender") for i in (1, 2, 3)] + [
        (4, "received_at"),
        (5, "received_at"),
    ]
    assert isinstance(records[5], Record) and records[5].message.sender == "95555"


def test_csv_that_is_not_utf8_gives_an_error_per_row_with_the_id_when_readable() -> None:
    gbk = "请按时还款".encode("gbk")
    records = read_csv(b"id,text\n1,ok\n2," + gbk + b"\n" + gbk + b",hello\n3,fine\n")
    assert [type(r) for r in records] == [Record, RecordError, RecordError, Record]
    assert records[1] == RecordError(3, "2", "not UTF-8 at byte 0 of column 2")
    assert records[2] == RecordError(4, None, "not UTF-8 at byte 0 of column 1")  # the id itself is unreadable
    assert read_csv(b"id,text\n2,ab" + gbk + b"\n") == [RecordError(2, "2", "not UTF-8 at byte 2 of column 2")]
    header = read_csv(b"id,text," + "备注".encode("gbk") + b"\n1,ok,x\n")
    assert header == [RecordError(1, None, "the CSV header row is not UTF-8 at byte 0 of column 3")]


def test_csv_header_names_ignore_case_spaces_and_a_byte_order_mark() -> None:
    for header in (b"TEXT,ID", b" text , id ", b"\xef\xbb\xbftext,id", b"\xef\xbb\xbf Text ,Id"):
        (record,) = read_csv(header + b"\r\nhello,7\r\n")
        assert isinstance(record, Record) and record.id == "7" and record.message.text == "hello"
    assert read_csv(b"message,id\nhello,7\n") == [RecordError(1, None, "the CSV header row must have a 'text' column")]


def test_csv_blank_rows_are_errors_in_their_place() -> None:
    records = read_csv(b"id,text\n1,a\n\n , \n2,b\n")
    assert [(r.line, r.error if isinstance(r, RecordError) else r.id) for r in records] == [
        (2, "1"),
        (3, "empty row"),
        (4, "empty row"),
        (5, "2"),
    ]
