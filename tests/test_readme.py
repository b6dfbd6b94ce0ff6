"""The README's examples stay true: its Python block runs and its rule block parses."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

from smsguard.lang.parser import parse

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def blocks(tag: str) -> list[str]:
    return re.findall(rf"^```{tag}\n(.*?)^```", README, re.S | re.M)


def test_python_block_runs_and_prints_what_its_comments_say() -> None:
    (code,) = blocks("python")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    first = out.getvalue().splitlines()[0]
    assert first == "collection_notice low"


def test_rule_block_parses() -> None:
    assert blocks("smsguard")
    for block in blocks("smsguard"):
        parse(block, "README.md")


def test_the_two_setup_commands_open_the_readme() -> None:
    commands = blocks("sh")[:2]
    assert "pip install ." in commands[0] and "smsguard check" in commands[0]
    assert "pip install '.[test]'" in commands[1] and "pytest" in commands[1]
