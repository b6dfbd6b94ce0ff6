from __future__ import annotations

from pathlib import Path
from typing import cast

import pytest

from smsguard import Engine, RulePackError
from smsguard.plugins import PluginHost

CATEGORIES = """
category bad { title: "bad" threshold: 0.5 priority: 10 risk: high }
category normal { title: "ok" threshold: 0 priority: 0 risk: none fallback: true }
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def build(tmp_path: Path, rules: str, *extra: Path) -> Engine:
    return Engine.from_paths(write(tmp_path, "pack.sg", CATEGORIES + rules), *extra)


def errors(tmp_path: Path, rules: str) -> str:
    with pytest.raises(RulePackError) as info:
        build(tmp_path, rules)
    return str(info.value)


def test_all_errors_are_collected_with_locations(tmp_path: Path) -> None:
    message = errors(
        tmp_path,
        """
rule a { category: bad when: signal("no.such.signal") }
rule b { category: nosuch when: any(missing_list) }
rule c { category: bad when: frobnicate("x") }
""",
    )
    assert "pack.sg:5:37: error: unknown signal 'no.such.signal'" in message
    assert "unknown category 'nosuch'" in message
    assert "unknown list 'missing_list'" in message
    assert "unknown function 'frobnicate'" in message


def test_suggests_close_names(tmp_path: Path) -> None:
    assert "did you mean 'link.shortener'?" in errors(
        tmp_path, 'rule a { category: bad when: signal("link.shortner") }'
    )


def test_reference_cycle_is_reported(tmp_path: Path) -> None:
    message = errors(
        tmp_path,
        """
rule a { category: bad when: b }
rule b { category: bad when: c and "x" }
rule c { category: bad when: a }
""",
    )
    assert "cycle" in message and "a -> b -> c -> a" in message


def test_regex_the_linear_engine_rejects(tmp_path: Path) -> None:
    assert "linear-time regex engine rejects" in errors(tmp_path, r"rule a { category: bad when: /(a)\1/ }")


def test_type_errors(tmp_path: Path) -> None:
    message = errors(tmp_path, 'rule a { category: bad weight: "heavy" when: count("a") == "two" }')
    assert "'weight' must be a number" in message
    assert "cannot compare a number with a string" in message


def test_duplicate_names(tmp_path: Path) -> None:
    message = errors(tmp_path, 'list a = ["x"]\nrule a { category: bad when: "x" }')
    assert "declared twice" in message


def test_composite_rules_run_after_their_parts(tmp_path: Path) -> None:
    engine = build(
        tmp_path,
        """
rule both { category: bad weight: 1 when: first and second }
rule first { category: bad weight: 0.1 when: "甲" }
rule second { category: bad weight: 0.1 when: "乙" }
""",
    )
    fired = {h.rule for h in engine.check("甲乙").hits}
    assert fired == {"both", "first", "second"}
    assert {h.rule for h in engine.check("甲").hits} == {"first"}


def test_layering_override_and_disable(tmp_path: Path) -> None:
    base = """rule loud { category: bad weight: 1 when: "吵" }
rule quiet { category: bad weight: 1 when: "静" }"""
    layer = write(
        tmp_path,
        "layer/layer.sg",
        'override loud { weight: 3 }\ndisable quiet\nrule extra { category: bad when: "新" }',
    )
    engine = build(tmp_path, base, layer)
    verdict = engine.check("吵静新")
    weights = {h.rule: h.weight for h in verdict.hits}
    assert weights == {"loud": 3.0, "extra": 1.0}
    packs = {h.rule: h.pack for h in verdict.hits}
    assert packs["extra"] == "layer"


def test_include_and_lexicon_files_stay_inside_the_pack(tmp_path: Path) -> None:
    write(tmp_path, "outside.txt", "秘密\n")
    pack = write(tmp_path, "pack/main.sg", CATEGORIES + 'include "../evil.sg"\nlist x = file("../outside.txt")\n')
    with pytest.raises(RulePackError) as info:
        Engine.from_paths(pack)
    assert str(info.value).count("leaves the pack's directory") == 2


def test_lexicon_file_list(tmp_path: Path) -> None:
    write(tmp_path, "pack/lexicons/words.txt", "# source: test\n老赖\n骗子\t侮辱\n")
    pack = write(
        tmp_path,
        "pack/main.sg",
        CATEGORIES + 'list words = file("lexicons/words.txt")\nrule r { category: bad when: any(words) }',
    )
    engine = Engine.from_paths(pack)
    assert engine.check("你是骗子").hits[0].evidence == ("骗子",)


def test_directory_pack_loads_every_file(tmp_path: Path) -> None:
    write(tmp_path, "dir/a.sg", CATEGORIES)
    write(tmp_path, "dir/b.sg", 'rule r { category: bad when: "甲" }')
    engine = Engine.from_paths(tmp_path / "dir")
    assert engine.check("甲").category == "bad"


def test_unknown_signal_uses_the_plugins_declarations(tmp_path: Path) -> None:
    host = PluginHost.from_entry_points()
    assert "link.shortener" in host.signal_specs
    engine = build(tmp_path, 'rule s { category: bad when: signal("link.shortener") }')
    assert engine.check("看 http://t.cn/x").category == "bad"
    assert engine.check("看 http://example.com/x").category == "normal"


def test_signal_values_compare(tmp_path: Path) -> None:
    engine = build(tmp_path, 'rule s { category: bad when: signal("link.present") >= 2 }')
    assert engine.check("a.com 和 b.com").category == "bad"
    assert engine.check("a.com").category == "normal"


def test_n_of_and_count_and_near(tmp_path: Path) -> None:
    engine = build(
        tmp_path,
        """
list t = ["甲", "乙", "丙"]
rule two { category: bad weight: 0.1 when: 2 of ("甲", "乙", "丙") }
rule counted { category: bad weight: 0.1 when: count(t) >= 3 }
rule close { category: bad weight: 0.1 when: near("起诉", "法院", within=3) }
""",
    )
    assert {h.rule for h in engine.check("甲乙").hits} == {"two"}
    assert {h.rule for h in engine.check("甲乙丙").hits} == {"two", "counted"}
    assert {h.rule for h in engine.check("起诉到法院").hits} == {"close"}
    assert engine.check("起诉一二三四五法院").hits == ()


def test_word_matching_uses_words_not_substrings(tmp_path: Path) -> None:
    engine = build(tmp_path, 'rule w { category: bad when: word("还款") }')
    assert engine.pack.needs_words
    assert engine.check("请尽快还款").category == "bad"


def test_jieba_is_not_loaded_without_word_rules(tmp_path: Path) -> None:
    engine = build(tmp_path, 'rule r { category: bad when: "x" }')
    assert not engine.pack.needs_words and engine._tokenizer is None


def test_sender_signature_and_link_fields(tmp_path: Path) -> None:
    engine = build(
        tmp_path,
        """
rule port { category: bad weight: 0.1 when: sender(/^106/) }
rule court { category: bad weight: 0.1 when: sender("12368") }
rule sig { category: bad weight: 0.1 when: signature("银行") }
rule top { category: bad weight: 0.1 when: link(/\\.top$/) }
""",
    )
    assert {h.rule for h in engine.check("你好", sender="1069 0000").hits} == {"port"}
    assert {h.rule for h in engine.check("你好", sender="12368").hits} == {"court"}
    assert {h.rule for h in engine.check("【某某银行】你好 abc.top").hits} == {"sig", "top"}


def results_by_rule(engine: Engine, text: str) -> dict[str, object]:
    from smsguard.model import Message

    judged = engine.judge(Message(text))
    return {rule.id: result for rule, result in zip(engine.pack.rules, judged.rule_results, strict=True)}


# Parts of different costs, so that the planner runs an ``and`` of them in an order other than the written one.
AND_PARTS = {
    "p_regex": r"/\d{4}/",
    "p_near": 'near("逾期", "还款", within=10)',
    "p_any": 'any(["起诉", "法院"])',
    "p_literal": '"欠款"',
    "p_all": 'all("逾期", "欠款")',
}


@pytest.mark.parametrize(
    "names",
    [
        ["p_regex", "p_literal"],
        ["p_literal", "p_any"],
        list(AND_PARTS)[:3],
        list(AND_PARTS)[:4],
        list(AND_PARTS),
        list(reversed(AND_PARTS)),
    ],
)
def test_an_and_joins_the_spans_of_its_items_in_the_written_order(tmp_path: Path, names: list[str]) -> None:
    parts = "\n".join(f"rule {name} {{ category: bad weight: 0.1 when: {AND_PARTS[name]} }}" for name in AND_PARTS)
    combined = " and ".join(AND_PARTS[name] for name in names)
    engine = build(tmp_path, parts + f"\nrule both {{ category: bad when: {combined} }}")
    for text in ("您的欠款1234元已逾期，请还款，否则法院起诉", "您的欠款已逾期，请还款，否则法院起诉", "欠款1234"):
        results = results_by_rule(engine, text)
        parts = [results[name] for name in names]
        if any(part is None for part in parts):
            assert results["both"] is None
        else:
            assert results["both"] == sum((cast(tuple[object, ...], part) for part in parts), ())


def test_an_or_takes_the_first_item_that_holds(tmp_path: Path) -> None:
    engine = build(
        tmp_path,
        """
rule short { category: bad weight: 0.1 when: signal("link.shortener") }
rule present { category: bad weight: 0.1 when: signal("link.present") }
rule debt { category: bad weight: 0.1 when: "欠款" }
rule signals_first { category: bad when: signal("link.ip_host") or signal("link.shortener") or "欠款" }
rule literal_first { category: bad when: "欠款" or signal("link.shortener") or signal("link.present") }
rule number_signal { category: bad when: signal("link.ip_host") or signal("link.present") }
rule none_holds { category: bad when: signal("link.ip_host") or "还款" or signal("link.punycode") }
""",
    )
    results = results_by_rule(engine, "欠款请看 http://t.cn/x")
    assert results["short"] and results["present"] and results["debt"]
    assert results["signals_first"] == results["short"]
    assert results["literal_first"] == results["debt"]
    assert results["number_signal"] == results["present"]
    assert results["none_holds"] is None
    assert results_by_rule(engine, "欠款")["signals_first"] == results["debt"]


def test_not_of_literals(tmp_path: Path) -> None:
    engine = build(
        tmp_path,
        """
list debts = ["欠款", "逾期"]
rule a { category: bad weight: 0.1 when: not any(debts) }
rule b { category: bad weight: 0.1 when: not debts }
rule c { category: bad weight: 0.1 when: not any(debts, ["还款"]) }
rule d { category: bad weight: 0.1 when: not "逾期" }
rule e { category: bad weight: 0.1 when: not any(debts, /还\\S/) }
""",
    )
    assert results_by_rule(engine, "你好") == {"a": (), "b": (), "c": (), "d": (), "e": ()}
    assert results_by_rule(engine, "已逾期") == {"a": None, "b": None, "c": None, "d": None, "e": None}
    assert results_by_rule(engine, "请还款") == {"a": (), "b": (), "c": None, "d": (), "e": None}


def _first_close_pair(text: str, left: list[str], right: list[str], within: int) -> tuple[tuple[int, int], ...] | None:
    """near() as documented: the first pair of distinct occurrences at most ``within`` apart, by the left one."""

    def occurrences(terms: list[str]) -> list[tuple[int, int]]:
        return sorted((i, i + len(t)) for t in terms for i in range(len(text)) if text.startswith(t, i))

    for a in occurrences(left):
        for b in occurrences(right):
            if max(a[0], b[0]) - min(a[1], b[1]) <= within and a != b:
                return tuple(sorted({a, b}))
    return None


def test_near_finds_the_first_close_pair_in_reading_order(tmp_path: Path) -> None:
    import random

    rules = "\n".join(
        f'rule n{n} {{ category: bad weight: 0.1 when: near(["甲", "甲乙"], ["乙", "丙", "甲"], within={n}) }}'
        for n in range(4)
    )
    engine = build(tmp_path, rules)
    rng = random.Random(7)
    for _ in range(300):
        text = "".join(rng.choice("甲乙丙丁丁丁") for _ in range(rng.randint(1, 16)))
        results = results_by_rule(engine, text)
        for n in range(4):
            assert results[f"n{n}"] == _first_close_pair(text, ["甲", "甲乙"], ["乙", "丙", "甲"], n), (text, n)


def test_a_missing_pack_or_one_without_rule_files_is_a_rule_pack_error(tmp_path: Path) -> None:
    with pytest.raises(RulePackError) as missing:
        Engine.from_paths(tmp_path / "nowhere.sg")
    assert str(missing.value) == f"{tmp_path / 'nowhere.sg'}: error: no such rule file or directory"
    (tmp_path / "empty").mkdir()
    with pytest.raises(RulePackError, match=r"no \.sg rule files in this directory"):
        Engine.from_paths(tmp_path / "empty")


def test_a_rule_file_that_is_not_utf8_is_located_and_the_other_files_still_report(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    write(
        pack, "a.sg", CATEGORIES + 'rule good { category: bad when: "起诉" }\nrule b { category: nosuch when: "x" }\n'
    )
    (pack / "b.sg").write_bytes('rule c { category: bad when: "起诉" }\n# 注释\n'.encode() + b"rule d { \xff }")
    with pytest.raises(RulePackError) as info:
        Engine.from_paths(pack)
    rendered = str(info.value)
    assert f"{pack / 'b.sg'}:3:10: error: rule file is not UTF-8 text" in rendered
    assert "nosuch" in rendered, "the errors of the readable file are collected too"


def test_a_byte_order_mark_at_the_start_of_a_rule_file_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "bom.sg"
    path.write_bytes(b"\xef\xbb\xbf" + (CATEGORIES + 'rule r { category: bad weight: 1 when: "起诉" }\n').encode())
    assert Engine.from_paths(path).check("将起诉你").category == "bad"


def test_a_comparison_with_an_unknown_operand_reports_only_the_unknown_name(tmp_path: Path) -> None:
    message = errors(
        tmp_path,
        """
rule a { category: bad when: signal("no.such") > 2 }
rule b { category: bad when: frobnicate("x") == "y" }
rule c { category: bad when: signal("link.shortener") > 2 }
""",
    )
    assert "unknown signal 'no.such'" in message and "unknown function 'frobnicate'" in message
    assert message.count("cannot compare") == 1, "only rule c, whose operands are known, has a type error"
