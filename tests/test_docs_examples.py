"""Every code block in docs/**/*.md is executed or checked, by the tag of its fence.

The convention (also in docs/plugins.md, "Code blocks in these docs"):

- ```python      runs (exec); the python blocks of one document share one namespace, in order. Use ``assert``
                 to state what the example shows.
- ```sh / ```shell / ```bash   every line is a command; each must be ``smsguard ...`` (optionally preceded by
                 ``VAR=value`` settings and followed by ``< FILE``) and runs through the CLI in-process.
- ```console     lines starting with ``$ `` are such commands; the lines after one are text its output must
                 contain (each line, stripped; ``...`` lines are skipped).
- ```smsguard    rule-language source: must parse (``expect=error``: must fail to parse).
- ```toml / ```json / ```jsonl   must parse.
- ```text        shown only, never run (use it for pip, git, pipelines, output, anything else).
- ``file=NAME`` on any fence writes the block to NAME in the document's working directory instead of running
  it (python and data blocks are still syntax-checked); later blocks can use the file.
- ``exit=N`` on a shell or console fence expects exit status N (default 0).
A fence with no tag or another tag fails the test. All blocks of one document run in order in one temporary
working directory, which is also on ``sys.path`` (so ``python file=my_plugin.py`` can be imported).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shlex
import sys
import tomllib
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from smsguard.cli import main
from smsguard.errors import RulePackError
from smsguard.lang.parser import parse

DOCS = Path(__file__).resolve().parent.parent / "docs"
SHELL = frozenset({"sh", "shell", "bash"})
KNOWN = SHELL | {"python", "console", "smsguard", "toml", "json", "jsonl", "text"}
_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=.*")


@dataclass(frozen=True, slots=True)
class Block:
    path: str
    line: int
    lang: str
    attrs: dict[str, str] = field(default_factory=dict)
    text: str = ""

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}: ```{self.lang or '(no tag)'}"


def parse_blocks(markdown: str, path: str = "<doc>") -> list[Block]:
    """The fenced code blocks of a Markdown text, with their tag, ``key=value`` attributes and text."""
    blocks: list[Block] = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        words = opening["info"].split()
        lang = words[0].lower() if words else ""
        attrs = dict(w.split("=", 1) for w in words[1:] if "=" in w)
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not re.match(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$", lines[j]):
            body.append(lines[j][indent:] if lines[j][:indent].strip() == "" else lines[j])
            j += 1
        blocks.append(Block(path, i + 1, lang, attrs, "\n".join(body) + "\n"))
        i = j + 1
    return blocks


class DocumentRun:
    """Runs the blocks of one document in order, in one working directory."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.namespace: dict[str, Any] = {"__name__": "__docs__"}

    def run(self, block: Block) -> None:
        if block.lang not in KNOWN:
            raise AssertionError(
                f"{block.where}: unknown or missing tag; use python, sh, console, smsguard, toml, json, "
                "jsonl, or text for a block that is only shown"
            )
        if block.lang == "python":
            self.python(block)
        elif block.lang in SHELL or block.lang == "console":
            self.shell(block)
        elif block.lang == "smsguard":
            self.rules(block)
        elif block.lang != "text":
            self.data(block)
        if "file" in block.attrs:
            target = self.workdir / block.attrs["file"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.text, encoding="utf-8")

    def python(self, block: Block) -> None:
        code = compile(block.text, block.where, "exec")
        if "file" in block.attrs:
            return
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                exec(code, self.namespace)
        except Exception:
            raise AssertionError(
                f"{block.where} failed:\n{traceback.format_exc()}\noutput:\n{out.getvalue()}"
            ) from None

    def rules(self, block: Block) -> None:
        expect_error = block.attrs.get("expect") == "error"
        try:
            parse(block.text, block.where)
        except RulePackError as exc:
            if not expect_error:
                raise AssertionError(f"{block.where} does not parse:\n{exc}") from None
            return
        if expect_error:
            raise AssertionError(f"{block.where} is marked expect=error but parses")

    def data(self, block: Block) -> None:
        try:
            if block.lang == "toml":
                tomllib.loads(block.text)
            elif block.lang == "json":
                json.loads(block.text)
            else:
                for line in block.text.splitlines():
                    if line.strip():
                        json.loads(line)
        except ValueError as exc:
            raise AssertionError(f"{block.where} is not valid {block.lang}: {exc}") from None

    def shell(self, block: Block) -> None:
        expected_exit = int(block.attrs.get("exit", "0"))
        for command, expected in _commands(block):
            output = self.command(block, command, expected_exit)
            missing = [line for line in expected if line not in output]
            if missing:
                raise AssertionError(f"{block.where}: `{command}` printed\n{output}\nwithout the lines {missing}")

    def command(self, block: Block, command: str, expected_exit: int) -> str:
        tokens = shlex.split(command, comments=True)
        env: dict[str, str | None] = {}
        while tokens and _ASSIGNMENT.fullmatch(tokens[0]):
            name, value = tokens.pop(0).split("=", 1)
            env[name] = value
        stdin: bytes | None = None
        if len(tokens) >= 2 and tokens[-2] == "<":
            stdin = (self.workdir / tokens[-1]).read_bytes()
            tokens = tokens[:-2]
        if not tokens or tokens[0] != "smsguard" or {"|", ">", ">>", "&&", ";", "<", "2>&1"} & set(tokens):
            raise AssertionError(
                f"{block.where}: `{command}` is not a plain smsguard command; fence it as text if it is not "
                "meant to run"
            )
        result = CliRunner().invoke(main, tokens[1:], env=env, input=stdin, catch_exceptions=True)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            trace = "".join(traceback.format_exception(result.exception))
            raise AssertionError(f"{block.where}: `{command}` raised:\n{trace}")
        if result.exit_code != expected_exit:
            raise AssertionError(
                f"{block.where}: `{command}` exited {result.exit_code}, expected {expected_exit}:\n{result.output}"
            )
        return result.output


def _commands(block: Block) -> list[tuple[str, list[str]]]:
    """(command, expected output lines) pairs; backslash continues a command on the next line."""
    commands: list[tuple[str, list[str]]] = []
    pending = ""
    for raw in block.text.splitlines():
        line = raw.rstrip()
        if block.lang == "console" and not pending and not line.startswith("$ "):
            if commands and line.strip() and line.strip() != "...":
                commands[-1][1].append(line.strip())
            continue
        if not pending:
            line = line.removeprefix("$ ")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        commands.append((pending + line, []))
        pending = ""
    return commands


def run_document(path: Path, workdir: Path) -> int:
    """Run every block of one document; return how many blocks there were."""
    markdown = path.read_text(encoding="utf-8")
    relative = path.relative_to(DOCS.parent) if path.is_relative_to(DOCS.parent) else path
    blocks = parse_blocks(markdown, str(relative))
    runner = DocumentRun(workdir)
    saved_env, saved_cwd, saved_modules, saved_path = dict(os.environ), Path.cwd(), set(sys.modules), list(sys.path)
    sys.path.insert(0, str(workdir))
    os.chdir(workdir)
    try:
        for block in blocks:
            runner.run(block)
    finally:
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        os.environ.clear()
        os.environ.update(saved_env)
        for name in set(sys.modules) - saved_modules:
            module_file = str(getattr(sys.modules[name], "__file__", None) or "")
            if module_file and (module_file.startswith(str(workdir)) or not os.path.isabs(module_file)):
                del sys.modules[name]
    return len(blocks)


DOCUMENTS = sorted(DOCS.rglob("*.md")) if DOCS.is_dir() else []


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: str(p.relative_to(DOCS)))
def test_every_code_block_runs(path: Path, tmp_path: Path) -> None:
    run_document(path, tmp_path)


@pytest.mark.parametrize("name", ["plugins.md", "guide-detector-plugin.md", "guide-rule-pack.md"])
def test_the_plugin_docs_exist_and_run_code(name: str) -> None:
    blocks = parse_blocks((DOCS / name).read_text(encoding="utf-8"))
    assert sum(b.lang in ("python", "console", "smsguard") or b.lang in SHELL for b in blocks) >= 3


# ---- the runner itself must be able to fail


def run_text(markdown: str, tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(markdown, encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    run_document(doc, work)


@pytest.mark.parametrize(
    ("markdown", "complaint"),
    [
        ("```\nplain\n```\n", "unknown or missing tag"),
        ("```ini\na = 1\n```\n", "unknown or missing tag"),
        ("```python\nassert 1 + 1 == 3\n```\n", "AssertionError"),
        ("```sh\npip install smsguard\n```\n", "not a plain smsguard command"),
        ("```sh\nsmsguard check 你好 | head\n```\n", "not a plain smsguard command"),
        ("```sh\nsmsguard no-such-command\n```\n", "exited 2, expected 0"),
        ("```console\n$ smsguard --version\nno such line\n```\n", "without the lines ['no such line']"),
        ('```smsguard\nrule r { when: "x" \n```\n', "does not parse"),
        ('```smsguard expect=error\nrule r { category: x when: "x" }\n```\n', "marked expect=error but parses"),
        ('```json\n{"a": }\n```\n', "not valid json"),
    ],
)
def test_the_runner_reports_broken_blocks(markdown: str, complaint: str, tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match=re.escape(complaint)):
        run_text(markdown, tmp_path)


def test_the_runner_shares_files_namespace_and_env(tmp_path: Path) -> None:
    markdown = """
```python file=helper_mod.py
VALUE = 41
```

```python
import helper_mod
answer = helper_mod.VALUE + 1
```

```python
assert answer == 42
```

```smsguard file=base.sg
category normal { title: "正常" threshold: 0 priority: 0 risk: none fallback: true }
rule extra { category: normal when: "你好" }
```

```console
$ SMSGUARD_TRACE_PLUGINS=1 smsguard check 你好 --no-default --pack base.sg --json
"rule": "extra"
smsguard trace: smsguard_detect
```

```sh exit=2
smsguard check
```

```text
anything at all | even pipes
```
"""
    run_text(markdown, tmp_path)
    assert "helper_mod" not in sys.modules
    assert "SMSGUARD_TRACE_PLUGINS" not in os.environ
