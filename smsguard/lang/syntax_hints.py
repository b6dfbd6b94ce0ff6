"""Words for syntax errors: what went wrong in a rule file, said the way a rule author would say it.

Lark tells us the parser state and the token it could not take. Each state is matched against small broken
examples (Lark's ``match_examples``), which carry a hint in plain words; a character the lexer cannot read gets a
hint of its own (full-width punctuation, single quotes, ``&&``...). Anything else falls back to a list of what
was expected.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

TOP_KEYWORDS = ("pack", "include", "category", "list", "rule", "override", "disable")
DECLARATIONS = "a declaration (pack, include, category, list, rule, override or disable)"

_TERMINAL_WORDS = {
    "NAME": "a name",
    "STRING": 'a quoted string ("...")',
    "REGEX": "a regular expression (/.../)",
    "SIGNED_NUMBER": "a number",
    "COMPARATOR": "a comparison (>=, ==, ...)",
    "EXAMPLE_KIND": "hit or miss",
    "LBRACE": '"{"',
    "RBRACE": '"}"',
    "LPAR": '"("',
    "RPAR": '")"',
    "LSQB": '"["',
    "RSQB": '"]"',
    "COLON": '":"',
    "COMMA": '","',
    "EQUAL": '"="',
    "$END": "the end of the file",
}

_TOKEN_WORDS = {"NAME": "name", "STRING": "string", "SIGNED_NUMBER": "number", "REGEX": "regular expression"}

# Broken snippets, grouped by the hint that fits them. A snippet stands for the parser state it fails in.
_EXAMPLES: list[tuple[str, list[str]]] = [
    (
        "a property is written 'name: value', with a colon",
        ['rule x { title "t" }', "rule x { weight 1 }", "category x { threshold 0.5 }", "rule x { category scam }"],
    ),
    (
        "'when' is followed by a colon and a condition: when: any(words)",
        ["rule x { when any(a) }", 'rule x { when "a" }'],
    ),
    ("a condition is missing after 'when:'", ["rule x { when: }", "rule x { when: and }"]),
    (
        "a condition is missing after 'and', 'or' or 'not'",
        ['rule x { when: "a" and }', 'rule x { when: "a" or }', "rule x { when: not }", 'rule x { when: ("a" and ) }'],
    ),
    ("a value is missing after the comparison", ["rule x { when: count(a) >= }", "rule x { when: length() < ) }"]),
    ('\'examples\' is followed by a block: examples { hit: "..." miss: "..." }', ['rule x { examples hit: "a" }']),
    (
        'an example is written hit: "message" or miss: "message"',
        ['rule x { examples { "a" } }', 'rule x { examples { fire: "a" } }', "rule x { examples { hit } }"],
    ),
    ('an example is a quoted message: hit: "..."', ["rule x { examples { hit: a } }", "rule x { examples { hit: } }"]),
    ("compare with '==', not '='", ["rule x { when: count(a) = 2 }", 'rule x { when: a = "b" }']),
    (
        "items of a list are separated by commas",
        ['list a = ["x" "y"]', 'rule x { advice: ["a" "b"] }', 'rule x { when: any(["x" "y"]) }'],
    ),
    ("arguments are separated by commas", ["rule x { when: any(a b) }", 'rule x { when: near("a" "b") }']),
    (
        "a rule needs a name made of letters, digits and _: rule my_rule { ... }",
        ["rule { }", 'rule "x" { }', "rule 1 { }"],
    ),
    (
        "a category needs a name made of letters, digits and _: category scam { ... }",
        ["category { }", 'category "x" { }'],
    ),
    ('a list is declared as list NAME = ["..."] or list NAME = file("...")', ['list = ["a"]', 'list "x" = ["a"]']),
    (
        'a list is declared as list NAME = ["..."] or list NAME = file("...")',
        ['list a ["x"]', 'list a = "x"', "list a = x"],
    ),
    (
        "a closing ')' is missing",
        ['rule x { when: any("a" }', 'rule x { when: ("a" }', 'rule x { when: 2 of ("a", "b" }'],
    ),
    (
        "a closing ']' is missing",
        ['list a = ["x", "y"', 'list a = ["x"', 'rule x { tags: ["a" }', 'rule x { tags: ["a"'],
    ),
    (
        "'N of' takes its conditions in parentheses: 2 of (a, b, c)",
        ["rule x { when: 2 of a }", 'rule x { when: 2 of "a" }'],
    ),
    (
        "a value is missing: a quoted string, a number, a name, true, false or a [list]",
        ["rule x { title: }", "category x { title: , }"],
    ),
    (
        "a closing '}' is missing",
        [
            'rule x { when: "a" ',
            'rule x { title: "t" ',
            "rule x { ",
            'rule x { examples { hit: "a" } ',
            "category x { ",
        ],
    ),
    ('\'pack\' is written: pack "name" version "1.0"', ['pack "p"', "pack p", 'pack "p" "1.0"']),
    ('a file reads a lexicon: file("lexicons/words.txt")', ["list a = file(x)", "list a = file"]),
]

_CHAR_HINTS = {
    "'": 'strings are written in double quotes: "..."',
    '"': 'this string is not closed: a string ends with " on the same line',
    "&": "write 'and' instead of &&",
    "|": "write 'or' instead of ||",
    "!": "write 'not' instead of !",
    "/": "this regular expression is not closed (it ends with / on the same line); comments start with #",
    "：": "use the ASCII colon ':' instead of the full-width '：'",
    "，": "use the ASCII comma ',' instead of the full-width '，'",
    "（": "use the ASCII '(' instead of the full-width '（'",
    "）": "use the ASCII ')' instead of the full-width '）'",
    "“": 'use the ASCII double quote " instead of “ and ”',
    "”": 'use the ASCII double quote " instead of “ and ”',
    "【": "use '[' and ']' for lists, not 【】",
    "】": "use '[' and ']' for lists, not 【】",
    "＝": "use the ASCII '=' instead of the full-width '＝'",
    "；": "properties need no separator: put each on its own line",
    ";": "properties need no separator: put each on its own line",
}


def describe_error(source: str, exc: UnexpectedInput, parse: Callable[[str], Any]) -> tuple[int, int, str]:
    """(line, column, message) for a Lark error; ``parse`` parses a whole string with the same grammar."""
    line, column = getattr(exc, "line", 0) or 0, getattr(exc, "column", 0) or 0
    if isinstance(exc, UnexpectedCharacters):
        hint = _CHAR_HINTS.get(exc.char) or f"expected {expected_words(exc.allowed)}"
        return line, column, f"unexpected character {exc.char!r}; {hint}"
    if isinstance(exc, UnexpectedToken):
        hint = _matching_hint(exc, parse) or f"expected {expected_words(exc.expected)}"
        if exc.token.type == "$END":
            lines = source.splitlines() or [""]
            end_line = len(lines)
            return end_line, len(lines[-1].rstrip()) + 1, f"the file ends too early; {hint}"
        return line, column, f"unexpected {_token_words(exc)}; {hint}"
    return line, column, "syntax error"


def _matching_hint(exc: UnexpectedToken, parse: Callable[[str], Any]) -> str | None:
    if exc.token.type == "NAME" and "RULE" in exc.expected:
        close = difflib.get_close_matches(str(exc.token), list(TOP_KEYWORDS), n=1)
        if close:
            return f"expected {DECLARATIONS}; did you mean {close[0]!r}?"
    if exc.state is not None:
        hint = _hint_table(parse).get((exc.state.position, exc.token.type))
        if hint is not None:
            return hint
    if "RULE" in exc.expected and "NAME" not in exc.expected:
        return f"expected {DECLARATIONS}"
    return None


_TABLES: dict[int, dict[tuple[int, str], str]] = {}


def _hint_table(parse: Callable[[str], Any]) -> dict[tuple[int, str], str]:
    """(parser state, token type) -> hint, from the parser's own errors on the broken snippets (built once).

    Like Lark's ``match_examples``, but keyed on the state alone rather than also the depth of the stack, so a
    snippet stands for its state at any nesting depth, and built once rather than re-parsed for every error.
    """
    key = id(parse.__self__) if hasattr(parse, "__self__") else id(parse)
    table = _TABLES.get(key)
    if table is None:
        table = {}
        for hint, snippets in _EXAMPLES:
            for snippet in snippets:
                try:
                    parse(snippet)
                except UnexpectedToken as exc:
                    if exc.state is not None:
                        table.setdefault((exc.state.position, exc.token.type), hint)
                except UnexpectedInput:
                    continue
        _TABLES[key] = table
    return table


def _token_words(exc: UnexpectedToken) -> str:
    kind = _TOKEN_WORDS.get(exc.token.type)
    text = str(exc.token)
    if len(text) > 30:
        text = text[:27] + "..."
    return f"{kind} {text!r}" if kind else repr(text)


def expected_words(names: set[str] | frozenset[str]) -> str:
    """A short list, in words, of the terminals a parser state accepts."""
    words = sorted({_TERMINAL_WORDS.get(n, f'"{n.lower()}"') for n in names})
    if len(words) > 6:
        words = [*words[:6], "..."]
    return ", ".join(words) if words else "something else"
