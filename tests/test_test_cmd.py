"""``smsguard test``: every rule's examples through the engine (smsguard/cli/test_cmd.py)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from smsguard.cli import main

PACK = """\
category bad { title: "坏" threshold: 0.5 priority: 10 risk: high }
rule good {
  title: "ok"
  category: bad
  when: "甲" and not "乙"
  examples {
    hit: "甲"
    miss: "甲乙"
    miss: "丙" from "12368" at "2025-03-01T23:30"
  }
}
rule wrong {
  title: "wrong"
  category: bad
  when: "丙"
  examples {
    hit: "甲"
    miss: "丙丁"
  }
}
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_the_default_pack_passes() -> None:
    code, out, err = run("test")
    assert code == 0, out
    assert "0 failed" in err and "FAIL" not in out


def test_failures_name_file_line_and_rule(tmp_path: Path) -> None:
    pack = tmp_path / "pack.sg"
    pack.write_text(PACK, encoding="utf-8")
    code, out, err = run("test", str(pack))
    assert code == 1
    lines = out.splitlines()
    assert lines == [
        f"{pack}:17:5: FAIL hit example does not fire rule 'wrong': '甲'",
        f"{pack}:18:5: FAIL miss example fires rule 'wrong': '丙丁'",
    ]
    assert "5 examples of 2 rules: 3 passed, 2 failed" in err


def test_verbose_lists_the_passing_examples(tmp_path: Path) -> None:
    pack = tmp_path / "pack.sg"
    pack.write_text(PACK, encoding="utf-8")
    _, out, _ = run("test", "-v", str(pack))
    assert f"{pack}:7:5: ok hit good" in out


def test_an_example_with_a_bad_time_fails(tmp_path: Path) -> None:
    pack = tmp_path / "pack.sg"
    pack.write_text(PACK.replace("2025-03-01T23:30", "tomorrow"), encoding="utf-8")
    code, out, _ = run("test", str(pack))
    assert code == 1 and "'at' 'tomorrow' is not an ISO 8601 time" in out


def test_a_pack_that_does_not_compile_exits_2(tmp_path: Path) -> None:
    pack = tmp_path / "pack.sg"
    pack.write_text('rule r { category: nosuch when: "甲" }', encoding="utf-8")
    code, _, err = run("test", str(pack))
    assert code == 2 and "unknown category 'nosuch'" in err
