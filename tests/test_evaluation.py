from __future__ import annotations

import io
import json
import math
from collections.abc import Sequence
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from smsguard.errors import InputError
from smsguard.evaluation import Outcome, RuleInfo, compute_report, evaluate, verdict_judge
from smsguard.labelled import LabelledRecord, read_labelled
from smsguard.model import Hit, Verdict
from smsguard.report_html import render_html
from smsguard.report_text import display_width, pad

CATS = ("a", "b", "c", "d")


def outcomes() -> list[Outcome]:
    """Gold a: 3 right, 1 judged b; gold b: 2 right, 1 judged a; gold c: 1 judged b; d never occurs."""
    return [
        Outcome("a", "a", ("r1",), "m1"),
        Outcome("a", "a", ("r1", "r1"), "m2"),
        Outcome("a", "a", (), "m3"),
        Outcome("a", "b", ("r2",), "m4"),
        Outcome("b", "b", ("r1", "neg"), "m5"),
        Outcome("b", "b", ("neg",), "m6"),
        Outcome("b", "a", ("ghost",), "m7"),
        Outcome("c", "b", ("neg",), "m8"),
    ]


RULES = [
    RuleInfo("r1", "a", "规则一"),
    RuleInfo("r2", "b"),
    RuleInfo("dead", "c", "从不命中"),
    RuleInfo("neg", "c", "反证", weight=-1.0),
]


def approx(x: float | None, y: float) -> bool:
    return x is not None and math.isclose(x, y)


# ---------------------------------------------------------------- metrics


def test_per_category_figures_by_hand() -> None:
    report = compute_report(outcomes(), CATS, RULES)
    assert report.categories == CATS
    assert report.confusion == ((3, 1, 0, 0), (1, 2, 0, 0), (0, 1, 0, 0), (0, 0, 0, 0))
    a, b, c, d = (report.figures(x) for x in CATS)
    assert approx(a.precision, 0.75) and approx(a.recall, 0.75) and approx(a.f1, 0.75)
    assert (a.support, a.predicted, a.true_positives) == (4, 4, 3)
    assert approx(b.precision, 0.5) and approx(b.recall, 2 / 3) and approx(b.f1, 4 / 7)
    # c: never predicted -> precision undefined; recall and F1 are 0
    assert c.precision is None and c.recall == 0.0 and c.f1 == 0.0
    # d: neither gold nor predicted -> everything undefined, and left out of macro-F1
    assert d.precision is None and d.recall is None and d.f1 is None and d.support == 0
    assert approx(report.macro_f1, (0.75 + 4 / 7 + 0.0) / 3)
    assert report.total == 8 and report.correct == 5 and approx(report.accuracy, 5 / 8)
    assert [m.id for m in report.mistakes] == ["m4", "m7", "m8"]


def test_empty_input_divides_by_nothing() -> None:
    report = compute_report([], ("scam", "normal"))
    assert report.total == 0 and report.accuracy is None and report.macro_f1 is None
    assert all(f.precision is None and f.recall is None and f.f1 is None for f in report.per_category)
    assert report.confusion == ((0, 0), (0, 0))


def test_prediction_only_category_counts_in_macro_f1() -> None:
    report = compute_report([Outcome("x", "y"), Outcome("x", "x")], ("x", "y"))
    y = report.figures("y")
    assert y.precision == 0.0 and y.recall is None and y.f1 == 0.0
    assert approx(report.figures("x").f1, 2 / 3)
    assert approx(report.macro_f1, (2 / 3 + 0.0) / 2)


def test_labels_outside_the_declared_categories_are_appended_sorted() -> None:
    report = compute_report([Outcome("zeta", "b"), Outcome("alpha", "b")], ("b",))
    assert report.categories == ("b", "alpha", "zeta")


def test_perfect_run() -> None:
    report = compute_report([Outcome("a", "a"), Outcome("b", "b")], ("a", "b"))
    assert report.macro_f1 == 1.0 and report.accuracy == 1.0 and not report.mistakes


def test_rule_hit_frequencies() -> None:
    report = compute_report(outcomes(), CATS, RULES)
    by_id = {r.rule: r for r in report.rules}
    r1 = by_id["r1"]  # fired on m1, m2 (twice, counted once) and m5
    assert r1.hits == (2, 1, 0, 0) and r1.total == 3 and approx(r1.own_share, 2 / 3) and not r1.noisy
    r2 = by_id["r2"]  # its only hit is on a message labelled a
    assert r2.hits == (1, 0, 0, 0) and r2.own_share == 0.0 and r2.noisy
    dead = by_id["dead"]
    assert dead.dead and dead.total == 0 and dead.own_share is None and not dead.noisy
    assert [r.rule for r in report.dead_rules] == ["dead"]
    ghost = by_id["ghost"]  # fired but not in the rule list
    assert ghost.category is None and ghost.own_share is None and ghost.weight is None and not ghost.noisy
    neg = by_id["neg"]  # negative rule of c: 1 of 3 hits on c -> fine
    assert neg.hits == (0, 2, 1, 0) and approx(neg.own_share, 1 / 3) and not neg.noisy
    assert [r.rule for r in report.rules][:2] == ["neg", "r1"]  # most hits first, then by id


def test_negative_rule_is_noisy_when_it_fires_on_its_own_category() -> None:
    rules = [RuleInfo("neg", "a", weight=-2.0)]
    report = compute_report([Outcome("a", "a", ("neg",)), Outcome("a", "a", ("neg",))], ("a",), rules)
    assert report.rules[0].own_share == 1.0 and report.rules[0].noisy


def test_noisy_threshold_is_a_parameter() -> None:
    strict = compute_report(outcomes(), CATS, RULES, noisy_below=0.9)
    # neg (a negative rule) now may put at most 0.1 of its hits on its own category; it puts 1/3
    assert {r.rule for r in strict.noisy_rules} == {"r1", "r2", "neg"}


def test_to_dict_is_json_safe() -> None:
    report = compute_report(outcomes(), CATS, RULES, category_titles={"a": "甲"})
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False, ensure_ascii=False))
    assert data["per_category"]["d"] == {
        "precision": None,
        "recall": None,
        "f1": None,
        "support": 0,
        "predicted": 0,
        "true_positives": 0,
    }
    assert data["confusion"]["matrix"][0] == [3, 1, 0, 0]
    r1 = next(r for r in data["rules"] if r["rule"] == "r1")
    assert r1["hits"] == {"a": 2, "b": 1, "c": 0, "d": 0}
    assert r1["rate"]["a"] == 0.5 and r1["rate"]["d"] is None
    assert data["category_titles"] == {"a": "甲", "b": "", "c": "", "d": ""}
    assert data["mistakes"][0] == {"id": "m4", "label": "a", "predicted": "b", "rules": ["r2"]}


# ---------------------------------------------------------------- evaluate and the judge


def fake_judge(text: str, sender: str | None, received_at: datetime | None, /) -> tuple[str, Sequence[str]]:
    if "诉" in text:
        return "legal_threat", ["lawsuit"]
    return ("scam", ["night"]) if received_at is not None and received_at.hour < 6 else ("normal", [])


def test_evaluate_calls_the_judge_with_text_sender_and_time() -> None:
    records = [
        LabelledRecord("1", "三日内起诉你", "legal_threat", "10690"),
        LabelledRecord("2", "你好", "normal"),
        LabelledRecord("3", "还钱", "illegal_collection", received_at=datetime(2025, 5, 1, 2, 0)),
    ]
    report = evaluate(records, fake_judge, ["scam", "illegal_collection", "legal_threat", "normal"])
    assert report.correct == 2 and [m.id for m in report.mistakes] == ["3"]
    assert report.figures("scam").predicted == 1


def test_evaluate_rejects_unknown_gold_labels_when_categories_are_given() -> None:
    records = [LabelledRecord("x", "你好", "nromal", line=7)]
    with pytest.raises(InputError, match=r"line 7.*nromal"):
        evaluate(records, fake_judge, ["normal"])
    assert evaluate(records, fake_judge).categories == ("normal", "nromal")
    read = read_labelled(jl({"text": "你好", "label": "nromal"}), name="set.jsonl")
    assert read[0].source == "set.jsonl" and read[0] == LabelledRecord("line 1", "你好", "nromal", line=1)
    with pytest.raises(InputError, match=r"^set\.jsonl:1: label 'nromal'"):
        evaluate(read, fake_judge, ["normal"])


def test_verdict_judge_maps_a_verdict() -> None:
    def check(text: str, sender: str | None, received_at: datetime | None) -> Verdict:
        hit = Hit("r9", "scam", 2.0, "t", ((0, 1),), ("x",))
        return Verdict("scam", "high", {"scam": 0.9}, (hit,), (), (), (), {})

    judge = verdict_judge(check)
    category, rules = judge("x", None, None)
    assert category == "scam" and list(rules) == ["r9"]


# ---------------------------------------------------------------- reading


def jl(*objs: object) -> list[str]:
    return [json.dumps(o, ensure_ascii=False) + "\n" for o in objs]


def test_read_labelled_from_lines_and_path(tmp_path: Path) -> None:
    lines = jl(
        {"id": "a1", "text": "你好", "label": "normal", "sender": 95555},
        {"text": "起诉", "label": " legal_threat ", "sender": "", "received_at": "2025-05-01T02:00:00+08:00"},
    )
    lines.insert(1, "   \n")
    records = read_labelled(lines)
    assert records[0] == LabelledRecord("a1", "你好", "normal", "95555", None, 1)
    assert records[1].id == "line 3" and records[1].label == "legal_threat" and records[1].sender is None
    assert records[1].received_at is not None and records[1].received_at.hour == 2
    path = tmp_path / "set.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    assert read_labelled(path) == records
    assert read_labelled(str(path)) == records
    assert read_labelled(io.StringIO("".join(lines))) == records


SECRET = "您的验证码是 884213 机密内容"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"text": "' + SECRET + '", "label": "normal"', ":2: invalid JSON"),
        (json.dumps([SECRET, "normal"], ensure_ascii=False), ":2: a line must hold a JSON object, not an array"),
        (json.dumps({"label": "normal"}), ":2: 'text' must be a string, not null"),
        (json.dumps({"text": 5, "label": "normal"}), ":2: 'text' must be a string, not a number"),
        (json.dumps({"text": SECRET}, ensure_ascii=False), ":2: 'label' must be a non-empty string"),
        (json.dumps({"text": SECRET, "label": " "}, ensure_ascii=False), "'label' must be a non-empty string"),
        (json.dumps({"text": SECRET, "label": "normal", "sender": [1]}, ensure_ascii=False), "'sender' must be"),
        (json.dumps({"text": SECRET, "label": "normal", "sender": True}, ensure_ascii=False), "'sender' must be"),
        (json.dumps({"text": SECRET, "label": "normal", "id": {"a": 1}}, ensure_ascii=False), "'id' must be"),
        (json.dumps({"text": SECRET, "label": "normal", "received_at": "昨天"}, ensure_ascii=False), "ISO 8601"),
        (json.dumps({"text": SECRET, "label": "normal", "received_at": 3}, ensure_ascii=False), "ISO 8601"),
        (
            json.dumps({"id": "ok", "text": SECRET, "label": "normal"}, ensure_ascii=False),
            "'ok' already used on line 1",
        ),
    ],
)
def test_malformed_lines_name_the_line_and_hide_the_text(line: str, expected: str) -> None:
    first = json.dumps({"id": "ok", "text": "第一条", "label": "normal"}, ensure_ascii=False)
    with pytest.raises(InputError) as info:
        read_labelled([first + "\n", line + "\n"], name="set.jsonl")
    message = str(info.value)
    assert expected in message and message.startswith("set.jsonl:")
    assert "884213" not in message and "机密" not in message


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_labelled(tmp_path / "missing.jsonl")
    bad = tmp_path / "latin1.jsonl"
    bad.write_bytes(b'{"text": "caf\xe9", "label": "normal"}\n')
    with pytest.raises(InputError, match="not UTF-8"):
        read_labelled(bad)


# ---------------------------------------------------------------- text rendering


def test_display_width_and_pad() -> None:
    assert display_width("abc") == 3
    assert display_width("诈骗/钓鱼") == 9
    assert display_width("ＡＰＰ") == 6
    assert display_width("a\u200bb") == 2
    assert display_width("e\u0301") == 1
    assert pad("诈骗", 6) == "诈骗  " and pad("7", 3, right=True) == "  7"


def test_text_report_aligns_chinese_titles() -> None:
    titles = {"a": "诈骗/钓鱼", "b": "以法律名义恐吓（非法院文书）", "c": "ok", "d": "正常"}
    text = compute_report(outcomes(), CATS, RULES, category_titles=titles).render_text()
    lines = text.splitlines()
    assert lines[0].startswith("smsguard eval: 8 messages, 5 judged as labelled, accuracy 0.625, macro-F1 0.440")
    header = next(i for i, line in enumerate(lines) if "precision" in line)
    table = lines[header : header + 5]  # header and the four category rows
    assert len({display_width(line) for line in table}) == 1  # right-aligned last column lines up
    assert table[4].split() == ["[4]", "d", "正常", "-", "-", "-", "0", "0"]
    assert table[2].split() == ["[2]", "b", "以法律名义恐吓（非法院文书）", "0.500", "0.667", "0.571", "3", "4"]
    assert "[3] c" in text and "confusion matrix" in text
    assert "dead rules (1): dead" in text
    assert "noisy rules (1;" in text and "r2 (0.00)" in text
    assert "misjudged messages (3)" in text and "m7" in text


def test_text_report_truncates_the_mistake_list() -> None:
    many = [Outcome("a", "b", (), f"id{i}") for i in range(7)]
    text = compute_report(many, ("a", "b")).render_text(max_mistakes=5)
    assert "id4" in text and "id5" not in text and "and 2 more" in text


def test_text_report_without_rules() -> None:
    text = compute_report([Outcome("a", "a")], ("a",)).render_text()
    assert "no rules listed and none fired" in text and "dead rules (0): none" in text


# ---------------------------------------------------------------- HTML


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.data: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data: str) -> None:
        self.data.append(data)


def parse(html: str) -> Collector:
    parser = Collector()
    parser.feed(html)
    parser.close()
    return parser


def test_html_report_is_self_contained_with_two_pictures() -> None:
    report = compute_report(outcomes(), CATS, RULES, category_titles={"a": "诈骗/钓鱼"})
    html = render_html(report, title="eval <set>")
    page = parse(html)
    assert page.tags.count("svg") == 2 and "table" in page.tags and "rect" in page.tags
    assert "script" not in page.tags and "img" not in page.tags and "link" not in page.tags
    assert not any(name in ("src", "href") for name, _ in page.attrs)
    assert "http" not in html
    text = "".join(page.data)
    assert "eval <set>" in text and "诈骗/钓鱼" in text
    assert "gold a, judged b: 1 (25% of the row)" in text  # heat-map cell tooltip
    assert "r1: 2 hit(s) on messages labelled a" in text  # stacked bar segment tooltip
    assert "Dead rules (1)" in text and "Noisy rules (1)" in text


def test_html_report_escapes_everything() -> None:
    evil = '<script>alert("x")</script>'
    report = compute_report(
        [Outcome(evil, "normal", (evil,), evil)],
        ("normal",),
        [RuleInfo(evil, evil, evil)],
        category_titles={"normal": evil},
    )
    html = render_html(report, title=evil)
    page = parse(html)
    assert "script" not in page.tags
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert evil in "".join(page.data)


def test_html_report_of_an_empty_run() -> None:
    html = render_html(compute_report([], ()))
    page = parse(html)
    assert "svg" not in page.tags
    text = "".join(page.data)
    assert "No messages." in text and "No rule fired." in text
