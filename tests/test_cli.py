from __future__ import annotations

import errno
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from smsguard.cli import main

THREAT = "您的欠款已严重逾期，我司将于三日内向法院提起诉讼，届时你将被列入失信名单"


def run(*args: str, stdin: str | bytes | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)
    return result.exit_code, result.output


def test_check_explains_in_words() -> None:
    code, out = run("check", THREAT, "--sender", "1069012345678")
    assert code == 0
    assert "legal_threat" in out and "风险 risk" in out
    assert "⟦" in out and "⟧" in out  # matched characters are marked when not on a terminal
    assert "12368" in out  # advice says how to verify a case


def test_check_json() -> None:
    code, out = run("check", THREAT, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["category"] == "legal_threat"
    assert data["hits"][0]["spans"]


def test_check_rejects_a_bad_time() -> None:
    code, out = run("check", "你好", "--at", "yesterday")
    assert code == 2 and "ISO 8601" in out


def test_check_and_explain_read_the_text_from_standard_input_with_a_dash() -> None:
    long_threat = THREAT + "。" + "请尽快处理" * 20_000  # longer than a command line may be
    code, out = run("check", "-", "--json", stdin=(long_threat + "\n").encode())
    assert code == 0
    verdict = json.loads(out)
    assert verdict["category"] == "legal_threat"
    assert verdict == json.loads(run("check", long_threat, "--json")[1]), "the final line break is not the text's"
    code, out = run("explain", "-", stdin="\ufeff" + THREAT)
    assert code == 0 and "legal_threat" in out and "\ufeff" not in out
    code, out = run("check", "-", stdin=b"\xff\xfe")
    assert code == 2 and "standard input is not UTF-8 (byte 0)" in out


def test_check_refuses_a_date_without_a_time() -> None:
    code, out = run("check", "你好", "--at", "2025-03-01")
    assert code == 2 and "time of day" in out


def test_scan_keeps_order_ids_and_reports_bad_lines() -> None:
    lines = [
        json.dumps({"id": f"m{i}", "text": THREAT if i % 2 else "今晚吃什么", "sender": "10690"}, ensure_ascii=False)
        for i in range(50)
    ]
    lines.insert(10, "{not json")
    lines.insert(20, json.dumps({"id": "no-text"}))
    lines.insert(30, json.dumps([1, 2]))
    code, out = run("scan", "-", stdin="\n".join(lines) + "\n")
    assert code == 0
    results = [json.loads(line) for line in out.splitlines()]
    assert len(results) == 53
    assert results[10] == {"line": 11, "error": results[10]["error"]} and "invalid JSON" in results[10]["error"]
    assert results[20]["id"] == "no-text" and results[20]["line"] == 21 and "text" in results[20]["error"]
    assert results[30]["line"] == 31 and "error" in results[30]
    good = [r for r in results if "category" in r]
    assert [r["id"] for r in good] == [f"m{i}" for i in range(50)]
    assert [r["category"] for r in good[:4]] == ["normal", "legal_threat", "normal", "legal_threat"]


def test_scan_error_objects_never_echo_the_text() -> None:
    _code, out = run("scan", "-", stdin='{"text": "机密内容", "received_at": "not a time"}\n')
    assert "机密内容" not in out and "received_at" in out


def test_scan_csv(tmp_path: object) -> None:
    code, out = run("scan", "-", "--format", "csv", stdin=f"id,text,sender\n7,{THREAT},10690\n8,你好,\n")
    assert code == 0
    results = [json.loads(line) for line in out.splitlines()]
    assert [(r["id"], r["category"]) for r in results] == [("7", "legal_threat"), ("8", "normal")]


def test_scan_non_utf8_line() -> None:
    code, out = run("scan", "-", stdin=b'{"text": "\xff\xfe"}\n{"text": "ok"}\n')
    assert code == 0
    results = [json.loads(line) for line in out.splitlines()]
    assert "UTF-8" in results[0]["error"] and results[1]["category"] == "normal"


def test_scan_lone_surrogate_gives_valid_json() -> None:
    code, out = run("scan", "-", stdin='{"id": 1, "text": "\\ud800起诉"}\n')
    assert code == 0 and json.loads(out)["id"] == 1


def test_bad_pack_exits_2_with_diagnostics(tmp_path: object) -> None:
    from pathlib import Path

    pack = Path(str(tmp_path)) / "bad.sg"
    pack.write_text("rule x {", encoding="utf-8")
    code, out = run("check", "你好", "--pack", str(pack))
    assert code == 2 and "bad.sg:1:" in out


def test_scan_survives_deeply_nested_json_and_keeps_the_other_lines() -> None:
    stdin = '{"id": 1, "text": "ok1"}\n' + "[" * 100_000 + '\n{"id": 2, "text": "ok2"}\n'
    code, out = run("scan", "-", stdin=stdin)
    results = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r.get("id") for r in results] == [1, None, 2]
    assert results[1]["line"] == 2 and "nested" in results[1]["error"]


def test_scan_csv_with_an_oversized_field_reports_that_row() -> None:
    stdin = f'id,text\n1,你好\n2,"{"长" * 200_000}"\n3,再见\n'
    code, out = run("scan", "-", "--format", "csv", stdin=stdin)
    results = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and results[0]["id"] == "1" and results[-1]["id"] == "3"
    assert any("bad CSV row" in r.get("error", "") for r in results)


def run_split(*args: str, stdin: str | bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_scan_of_a_file_it_cannot_open_is_one_line_and_status_2(tmp_path: Path) -> None:
    missing = tmp_path / "missing.jsonl"
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    for path, reason in ((missing, errno.ENOENT), (tmp_path / "plain" / "x.jsonl", errno.ENOTDIR)):
        code, out, err = run_split("scan", str(path))
        assert code == 2 and out == ""
        assert err == f"smsguard scan: {path}: cannot read ({os.strerror(reason)})\n"


def test_scan_csv_that_is_not_utf8_gives_error_objects_not_verdicts() -> None:
    stdin = b"id,text\n1," + "您的贷款已逾期".encode("gbk") + "\n2,你好\n".encode()
    code, out, _ = run_split("scan", "-", "--format", "csv", stdin=stdin)
    results = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert results[0] == {"id": "1", "line": 2, "error": "not UTF-8 at byte 0 of column 2"}
    assert results[1]["id"] == "2" and results[1]["category"] == "normal"


def test_scan_ignores_a_byte_order_mark_and_the_case_of_csv_headers() -> None:
    bom = "\ufeff"
    _, out, _ = run_split("scan", "-", stdin=f'{bom}{{"id": "a1", "text": "{THREAT}"}}\n')
    assert json.loads(out)["id"] == "a1" and json.loads(out)["category"] == "legal_threat"
    _, out, _ = run_split("scan", "-", "--format", "csv", stdin=f"{bom}ID , Text\r\nb2,{THREAT}\r\n")
    assert json.loads(out)["id"] == "b2" and json.loads(out)["category"] == "legal_threat"


def test_scan_writes_one_line_per_input_line() -> None:
    stdin = '{"id": 1, "text": "你好"}\n\n   \n{"text": "晚上见"}\n'
    _, out, _ = run_split("scan", "-", stdin=stdin)
    results = [json.loads(line) for line in out.splitlines()]
    assert len(results) == 4
    assert results[1:3] == [{"line": 2, "error": "empty line"}, {"line": 3, "error": "empty line"}]
    assert results[0]["id"] == 1 and "category" in results[3]


def test_scan_help_describes_input_and_output() -> None:
    code, out = run("scan", "--help")
    text = " ".join(out.split())
    assert code == 0
    assert "JSON Lines" in text and "one object per input line" in text and "in input order" in text
    assert all(key in text for key in ("text (required)", "sender", "id (a string or an integer", "received_at"))
    assert "header row" in text


class _FailingOutput(io.BytesIO):
    def __init__(self, error: OSError) -> None:
        super().__init__()
        self.error = error

    def write(self, data: bytes) -> int:  # type: ignore[override]
        raise self.error


def test_a_write_error_is_one_line_but_a_closed_pipe_stays_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr("smsguard.cli.scan_cmd.stdout_bytes", lambda: _FailingOutput(full))
    code, _, err = run_split("scan", "-", stdin='{"text": "你好"}\n')
    assert code == 2 and err == f"smsguard scan: {os.strerror(errno.ENOSPC)}\n"
    closed = BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))
    monkeypatch.setattr("smsguard.cli.scan_cmd.stdout_bytes", lambda: _FailingOutput(closed))
    code, _, err = run_split("scan", "-", stdin='{"text": "你好"}\n')
    assert code == 1 and err == ""


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("command", [["scan", "-"], ["check", "你好", "--json"], ["check", "你好"]])
def test_output_to_a_full_disk_is_one_line_and_status_2(command: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [sys.executable, "-c", "from smsguard.cli import main; main()", *command],
            input='{"text": "你好"}\n'.encode(),
            stdout=full,
            stderr=subprocess.PIPE,
            check=False,
        )
    assert result.returncode == 2
    assert result.stderr.decode() == f"smsguard {command[0]}: {os.strerror(errno.ENOSPC)}\n"
