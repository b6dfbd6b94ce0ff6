"""``smsguard fmt`` and the formatter (smsguard/lang/formatter.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from smsguard.cli import main
from smsguard.engine import default_pack_path
from smsguard.lang.formatter import format_source, number, quote, width
from smsguard.lang.parser import _parser, parse

MESSY = """\
# The pack's header comment.
pack "demo"   version "1.0"
list  words=["起诉","法院",]   # why these words
list  spaced = ["起 诉"]
category  bad{title:"坏" threshold:0.5 priority:10 risk:high}

# A rule written on one line.
rule   r1{title:"t" category:bad weight:2 when:any(words)and not sender("12368") examples{hit:"起诉" miss:"你好"}}
override r1 { weight: 3 }   # heavier
disable r1
"""
CANONICAL = """\
# The pack's header comment.
pack "demo" version "1.0"
list words = ["起诉", "法院"]  # why these words
list spaced = ["起 诉"]

category bad {
  title: "坏"
  threshold: 0.5
  priority: 10
  risk: high
}

# A rule written on one line.
rule r1 {
  title: "t"
  category: bad
  weight: 2.0
  when: any(words) and not sender("12368")
  examples {
    hit: "起诉"
    miss: "你好"
  }
}

override r1 {
  weight: 3.0
}  # heavier

disable r1
"""


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def comments(text: str) -> list[str]:
    return [str(t).rstrip() for t in _parser().lex(text, dont_ignore=True) if t.type == "COMMENT"]


def test_canonical_layout() -> None:
    assert format_source(MESSY) == CANONICAL
    assert format_source(CANONICAL) == CANONICAL
    assert parse(CANONICAL).items == parse(MESSY).items


def test_long_conditions_and_lists_are_broken_one_element_a_line() -> None:
    terms = ", ".join(f'"第{i}个很长很长的词语"' for i in range(12))
    source = (
        f"list long = [{terms}]\nrule r {{ when: any(long) and (any([{terms}]) or not near(long, long, within=3)) }}\n"
    )
    formatted = format_source(source)
    assert all(width(line) <= 120 for line in formatted.splitlines())
    assert "  and (\n" in formatted and "    or not near(long, long, within=3)" in formatted
    assert parse(formatted).items == parse(source).items
    assert format_source(formatted) == formatted


def test_comments_inside_lists_and_conditions_are_kept_in_place() -> None:
    source = (
        "list a = [\n"
        '  "甲",  # the first\n'
        "  # the second one\n"
        '  "乙",\n'
        "]\n"
        "\n"
        "rule r {\n"
        "  # before when\n"
        "  when: any(a)  # trailing\n"
        "  # at the end\n"
        "}\n"
    )
    formatted = format_source(source)
    assert formatted == source
    assert comments(formatted) == comments(source)


def test_strings_and_numbers_read_back_exactly() -> None:
    for text in ["", 'a"b', "a\\b", "换行\n", "\t", "\u200b", "\ud800", "😀", "\x00", "\u2028"]:
        assert parse(f'pack {quote(text)} version "1"').items[0].name == text  # type: ignore[union-attr]
    for value in [0.0, -0.0, 1.0, 0.1, 1e300, 5e-324, -2.5, 123456789.125]:
        assert float(number(value)) == value and "e" not in number(value)
    assert number(3.0) == "3" and number(3.0, decimal_point=True) == "3.0"


def test_fmt_check_and_rewrite(tmp_path: Path) -> None:
    path = tmp_path / "messy.sg"
    path.write_text(MESSY, encoding="utf-8")
    code, _, err = run("fmt", "--check", str(path))
    assert code == 1 and "would reformat" in err
    assert path.read_text(encoding="utf-8") == MESSY
    code, out, _ = run("fmt", "--diff", str(path))
    assert code == 1 and "+rule r1 {" in out
    code, _, err = run("fmt", str(tmp_path))
    assert code == 0 and "reformatted" in err
    assert path.read_text(encoding="utf-8") == CANONICAL
    assert run("fmt", "--check", str(path))[0] == 0


def test_fmt_refuses_a_file_with_syntax_errors(tmp_path: Path) -> None:
    path = tmp_path / "broken.sg"
    path.write_text("rule x { when: }\n", encoding="utf-8")
    code, _, err = run("fmt", str(path))
    assert code == 1 and "broken.sg:1:16: error:" in err
    assert path.read_text(encoding="utf-8") == "rule x { when: }\n"


def test_fmt_reads_standard_input() -> None:
    code, out, _ = run("fmt", "-", stdin=MESSY)
    assert code == 0 and out == CANONICAL
    assert run("fmt", "--check", "-", stdin=CANONICAL)[0] == 0


def test_fmt_diff_prints_a_diff_and_exits_1_for_files_and_standard_input(tmp_path: Path) -> None:
    messy = 'list  greet=["早安","晚安"]\n'
    path = tmp_path / "greet.sg"
    path.write_text(messy, encoding="utf-8")
    for target, stdin in ((str(path), None), ("-", messy)):
        code, out, err = run("fmt", "--diff", target, stdin=stdin)
        name = str(path) if stdin is None else "<stdin>"
        assert code == 1 and out.startswith(f"--- {name}\n+++ {name}\n"), out
        assert '-list  greet=["早安","晚安"]\n+list greet = ["早安", "晚安"]\n' in out
        assert f"would reformat {name}" in err
    assert path.read_text(encoding="utf-8") == messy
    code, out, _ = run("fmt", "--diff", "-", stdin='list greet = ["早安", "晚安"]\n')
    assert code == 0 and out == ""
    help_text = run("fmt", "--help")[1]
    assert "Exit status 1 with --check or --diff when a file would change" in " ".join(help_text.split())


def test_fmt_reports_a_directory_without_rule_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("不是规则", encoding="utf-8")
    code, _, err = run("fmt", str(tmp_path))
    assert code == 1 and err == f"{tmp_path}: error: no .sg rule files in this directory\n"


@pytest.mark.parametrize("path", sorted(default_pack_path().glob("*.sg")), ids=lambda p: p.name)
def test_default_pack_files_format_stably_without_losing_anything(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    formatted = format_source(source, str(path))
    assert format_source(formatted, str(path)) == formatted
    assert parse(formatted).items == parse(source).items
    assert sorted(comments(formatted)) == sorted(comments(source))
