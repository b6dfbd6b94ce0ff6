from __future__ import annotations

import json
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner

from smsguard import Engine
from smsguard.cli import main
from smsguard.cli.eval_cmd import evaluate_engine
from smsguard.labelled import read_labelled

SET = Path(__file__).resolve().parent.parent / "eval" / "labelled.jsonl"


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def small_set(tmp_path: Path) -> Path:
    rows = [
        {
            "id": "t1",
            "text": "您的欠款已严重逾期，我司将于三日内向法院提起诉讼，届时你将被列入失信名单",
            "label": "legal_threat",
        },
        {"id": "t2", "text": "今晚一起吃火锅吗？", "sender": "13812340000", "label": "normal"},
        {"id": "t3", "text": "明天下午三点开会，别迟到。", "sender": "13812340001", "label": "normal"},
    ]
    path = tmp_path / "small.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_eval_prints_tables_and_writes_html(tmp_path: Path) -> None:
    out_html = tmp_path / "report.html"
    code, out, _ = run("eval", str(small_set(tmp_path)), "--report", str(out_html))
    assert code == 0
    assert out.startswith("smsguard eval: 3 messages")
    assert "confusion matrix" in out and "rule hits by gold label" in out
    assert "今晚" not in out  # message texts are never printed
    page = out_html.read_text(encoding="utf-8")
    tags: list[str] = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            tags.append(tag)

    Tags().feed(page)
    assert tags.count("svg") == 2 and "script" not in tags


def test_eval_json_and_stdin(tmp_path: Path) -> None:
    text = small_set(tmp_path).read_text(encoding="utf-8")
    code, out, _ = run("eval", "-", "--json", stdin=text)
    assert code == 0
    data = json.loads(out)
    assert data["total"] == 3 and data["per_category"]["normal"]["support"] == 2
    assert "legal_threat" in data["categories"] and data["rules"]


def test_eval_reports_bad_lines_and_unknown_labels(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "好", "label": "normal"}\n{"text": "秘密", "label"\n', encoding="utf-8")
    code, _, err = run("eval", str(bad))
    assert code == 2 and f"{bad}:2: invalid JSON" in err and "秘密" not in err
    typo = tmp_path / "typo.jsonl"
    typo.write_text('{"text": "好", "label": "normal"}\n\n{"text": "好", "label": "nromal"}\n', encoding="utf-8")
    code, _, err = run("eval", str(typo))
    assert code == 2 and err == f"smsguard eval: {typo}:3: label 'nromal' is not a category of the pack\n"
    code, _, err = run("eval", "-", stdin=typo.read_text(encoding="utf-8"))
    assert code == 2 and err.startswith("smsguard eval: <stdin>:3: label 'nromal'")


def test_eval_without_labelled_messages_is_an_input_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n  \n", encoding="utf-8")
    code, out, err = run("eval", str(empty))
    assert (code, out, err) == (2, "", f"smsguard eval: {empty}: no labelled messages\n")
    code, out, err = run("eval", "-", "--json", stdin="")
    assert (code, out, err) == (2, "", "smsguard eval: <stdin>: no labelled messages\n")


def test_eval_fail_under(tmp_path: Path) -> None:
    path = str(small_set(tmp_path))
    assert run("eval", path, "--fail-under", "0")[0] == 0
    (code, out, _) = run("eval", path, "--json", "--fail-under", "1")
    assert code == (0 if json.loads(out)["macro_f1"] == 1.0 else 1)


def test_eval_on_the_projects_labelled_set(engine: Engine) -> None:
    records = read_labelled(SET)
    report = evaluate_engine(engine, records)
    assert report.total == len(records) >= 360
    assert set(Counter(r.label for r in records)) <= set(report.categories)
    assert {r.rule for r in report.rules} >= {rule.id for rule in engine.pack.rules if rule.enabled}
    assert report.macro_f1 is not None and report.accuracy is not None
