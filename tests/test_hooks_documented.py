"""Every hook has its own section in docs/plugins.md (signature, parameters, a runnable example) and its own
test (a function named ``test_hook_<hook>...`` in a tests/test_plugins_*.py file). Adding a hook to
smsguard/hookspecs.py without both fails here."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from smsguard import hookspecs

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "plugins.md"
HOOKS = {
    name: tuple(inspect.signature(spec).parameters)
    for name, spec in vars(hookspecs).items()
    if inspect.isfunction(spec) and hasattr(spec, "smsguard_spec")
}


def sections(markdown: str) -> dict[str, str]:
    """Heading text -> the text up to the next heading of the same or a higher level."""
    found: dict[str, str] = {}
    headings: list[tuple[int, int, str]] = []
    offset, fenced = 0, False
    for line in markdown.splitlines(keepends=True):
        if line.startswith("```"):
            fenced = not fenced
        heading = None if fenced else re.match(r"(#{1,6}) (.+)$", line)
        if heading:
            headings.append((offset, len(heading.group(1)), heading.group(2).strip()))
        offset += len(line)
    for i, (start, level, title) in enumerate(headings):
        end = next((s for s, lvl, _ in headings[i + 1 :] if lvl <= level), len(markdown))
        found[title] = markdown[start:end]
    return found


def hook_tests() -> set[str]:
    names: set[str] = set()
    for path in sorted((ROOT / "tests").glob("test_plugins_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names |= {
            node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_hook_")
        }
    return names


def test_the_hook_specs_are_found() -> None:
    assert {"smsguard_signals", "smsguard_detect", "smsguard_adjust_verdict"} <= set(HOOKS)


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_hook_has_a_documentation_section(hook: str) -> None:
    signature = f"{hook}({', '.join(HOOKS[hook])})"
    titles = sections(DOC.read_text(encoding="utf-8"))
    matching = [body for title, body in titles.items() if title.strip("` ") == signature]
    assert matching, f"docs/plugins.md needs a section headed `{signature}`"
    body = matching[0]
    assert f"{hook}(" in body and "->" in body, f"the {hook} section must show the full signature"
    assert "**Called:**" in body, f"the {hook} section must say when the hook is called (**Called:** ...)"
    assert "**Parameters:**" in body, f"the {hook} section must list its parameters (**Parameters:** ...)"
    for param in HOOKS[hook]:
        assert f"`{param}`" in body, f"the {hook} section must describe the parameter {param!r}"
    examples = re.findall(r"```python[^\n]*\n(.*?)```", body, re.S)
    assert any(f"def {hook}(" in example for example in examples), f"the {hook} section needs a python example"


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_hook_has_a_test_of_its_own(hook: str) -> None:
    assert any(name.startswith(f"test_hook_{hook}") for name in hook_tests()), (
        f"add a test named test_hook_{hook}_... to a tests/test_plugins_*.py file"
    )


def test_no_section_documents_a_hook_that_does_not_exist() -> None:
    for title in sections(DOC.read_text(encoding="utf-8")):
        named = re.match(r"`?(smsguard_[a-z_]+)\(", title)
        if named:
            assert named.group(1) in HOOKS, f"docs/plugins.md documents {named.group(1)}, which is not a hook"
