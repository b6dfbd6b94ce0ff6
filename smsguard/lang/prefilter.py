"""Prefilters: which literal strings must occur in a text for a regular expression or a rule to be true.

The compiled engine runs one Aho-Corasick pass per message over every literal of the pack. A rule is evaluated
only when one of its *trigger atoms* was seen, so a pack of thousands of rules costs little more than a pack of
ten on a message that mentions none of their terms. An atom is a literal id of the pack's automaton (``int``) or
a named fact of the message (``str``: a signal was emitted, a feature was extracted, a sender is known).

For a regular expression the atoms are strings that every match contains (at least one of them), found by a
conservative walk over its syntax: anything the walk does not understand makes it give up, which only means the
regex runs on every message, never that a match is missed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

Atom = int | str
Req = frozenset[Atom] | None  # None: no prefilter (the condition may hold without any atom)

SIGNAL_PREFIX = "signal:"
FEATURE_AMOUNTS = "feature:amounts"
FEATURE_SIGNATURES = "feature:signatures"
FEATURE_LINKS = "feature:links"
SENDER = "sender"

_CAP = 16  # largest finite set of exact strings tracked through a regex
_SMALL_CLASS = 8  # largest character class kept as a set of characters
_REPEAT = re.compile(r"\{(\d+)(?:(,)(\d*))?\}")
_HEX = re.compile(r"x\{([0-9a-fA-F]{1,8})\}|x([0-9a-fA-F]{2})")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a"}
_EMPTY_ESCAPES = frozenset("bBAz")
# Rough chance that a message contains an atom: used only to choose between prefilters, never for correctness.
_NAMED_ODDS = {FEATURE_AMOUNTS: 0.3, FEATURE_SIGNATURES: 0.3, FEATURE_LINKS: 0.1, SENDER: 0.9}


class _GiveUp(Exception):
    """The walk met syntax it does not model (a case-insensitive group, say): no prefilter for this regex."""


class _Info:
    """What a piece of a regex can match: ``exact`` (all its strings, when few) or ``req`` (one must occur)."""

    __slots__ = ("exact", "req")

    def __init__(self, exact: frozenset[str] | None = None, req: frozenset[str] | None = None) -> None:
        self.exact = exact
        self.req = req

    def required(self) -> frozenset[str] | None:
        if self.exact is not None:
            return None if "" in self.exact else self.exact
        return self.req


_UNKNOWN = _Info()
_EMPTY = _Info(frozenset({""}))


def regex_atoms(pattern: str, flags: str = "") -> frozenset[str] | None:
    """Strings one of which every non-empty match of ``pattern`` contains; None when none can be named."""
    if "i" in flags:
        return None
    try:
        parser = _Parser(pattern)
        info = parser.alternation()
        if parser.pos != len(pattern):
            return None
    except (_GiveUp, IndexError, ValueError):
        return None
    atoms = info.required()
    if not atoms or "" in atoms:
        return None
    # An atom that contains another adds nothing: wherever it occurs, the shorter one does too.
    return frozenset(a for a in atoms if not any(b != a and b in a for b in atoms))


class _Parser:
    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.pos = 0

    def alternation(self) -> _Info:
        branches = [self.sequence()]
        while self.pos < len(self.p) and self.p[self.pos] == "|":
            self.pos += 1
            branches.append(self.sequence())
        if len(branches) == 1:
            return branches[0]
        if all(b.exact is not None for b in branches):
            union = frozenset(s for b in branches for s in b.exact or ())
            if len(union) <= _CAP:
                return _Info(union)
        reqs = [b.required() for b in branches]
        if any(r is None for r in reqs):
            return _UNKNOWN
        return _Info(req=frozenset(s for r in reqs for s in r or ()))

    def sequence(self) -> _Info:
        current: frozenset[str] | None = frozenset({""})
        candidates: list[frozenset[str]] = []
        flushed = False
        while self.pos < len(self.p) and self.p[self.pos] not in "|)":
            item = self.repeat(self.atom())
            if current is not None and item.exact is not None and len(current) * len(item.exact) <= _CAP:
                current = frozenset(a + b for a in current for b in item.exact)
                continue
            flushed = True
            if current is not None and "" not in current:
                candidates.append(current)
            current = item.exact
            if item.exact is None and item.req is not None:
                candidates.append(item.req)
        if not flushed:
            return _Info(current)
        if current is not None and "" not in current:
            candidates.append(current)
        return _Info(req=best_strings(candidates))

    def repeat(self, item: _Info) -> _Info:
        if self.pos >= len(self.p):
            return item
        ch = self.p[self.pos]
        low: int
        if ch in "*+?":
            self.pos += 1
            low = 1 if ch == "+" else 0
        elif ch == "{" and (m := _REPEAT.match(self.p, self.pos)):
            self.pos = m.end()
            low = int(m.group(1))
        else:
            return item
        if self.pos < len(self.p) and self.p[self.pos] == "?":
            self.pos += 1  # lazy: same strings
        if low == 0:
            if ch == "?" and item.exact is not None and len(item.exact) < _CAP:
                return _Info(item.exact | {""})
            return _UNKNOWN
        return _Info(req=item.required())

    def atom(self) -> _Info:
        ch = self.p[self.pos]
        if ch == "(":
            return self.group()
        if ch == "[":
            return self.char_class()
        if ch == "\\":
            return self.escape()
        self.pos += 1
        if ch in "^$":
            return _EMPTY
        if ch == ".":
            return _UNKNOWN
        return _Info(frozenset({ch}))

    def group(self) -> _Info:
        self.pos += 1
        if self.p.startswith("?", self.pos):
            if self.p.startswith("?:", self.pos):
                self.pos += 2
            elif self.p.startswith("?P<", self.pos) or self.p.startswith("?<", self.pos):
                self.pos = self.p.index(">", self.pos) + 1
            else:
                end = self.pos + 1
                while self.p[end] not in ":)":
                    end += 1
                if "i" in self.p[self.pos + 1 : end].split("-")[0]:
                    raise _GiveUp
                if self.p[end] == ")":  # (?s) and the like: flags for the rest, no text
                    self.pos = end + 1
                    if self.p[self.pos : self.pos + 1] in ("*", "+", "?", "{"):
                        raise _GiveUp  # RE2 applies that quantifier to the atom before the flags
                    return _EMPTY
                self.pos = end + 1
        inner = self.alternation()
        if self.p[self.pos] != ")":
            raise _GiveUp
        self.pos += 1
        return inner

    def escape(self) -> _Info:
        self.pos += 1
        ch = self.p[self.pos]
        if ch == "Q":
            end = self.p.find("\\E", self.pos + 1)
            text = self.p[self.pos + 1 : end if end != -1 else len(self.p)]
            self.pos = end + 2 if end != -1 else len(self.p)
            return _Info(frozenset({text}))
        if ch in _EMPTY_ESCAPES:
            self.pos += 1
            return _EMPTY
        char = self.escaped_char()
        return _UNKNOWN if char is None else _Info(frozenset({char}))

    def char_class(self) -> _Info:
        self.pos += 1
        negated = self.p.startswith("^", self.pos)
        if negated:
            self.pos += 1
        chars: set[str] = set()
        known = not negated
        first = True
        while first or self.p[self.pos] != "]":
            first = False
            if self.p.startswith("[:", self.pos):
                self.pos = self.p.index(":]", self.pos) + 2
                known = False
                continue
            low = self.class_char()
            if low is None:
                known = False
                continue
            if self.p[self.pos] == "-" and self.p[self.pos + 1] != "]":
                self.pos += 1
                high = self.class_char()
                if high is None or ord(high) - ord(low) >= _SMALL_CLASS:
                    known = False
                    continue
                chars.update(chr(c) for c in range(ord(low), ord(high) + 1))
            else:
                chars.add(low)
        self.pos += 1
        if known and chars and len(chars) <= _SMALL_CLASS:
            return _Info(frozenset(chars))
        return _UNKNOWN

    def class_char(self) -> str | None:
        ch = self.p[self.pos]
        if ch != "\\":
            self.pos += 1
            return ch
        self.pos += 1
        return self.escaped_char()

    def escaped_char(self) -> str | None:
        """The one character an escape stands for (the position is just past the backslash), or None when it
        stands for a set of characters (``\\d``, ``\\pL`` ...)."""
        ch = self.p[self.pos]
        if ch == "x" and (m := _HEX.match(self.p, self.pos)):
            self.pos = m.end()
            return chr(int(m.group(1) or m.group(2), 16))
        self.pos += 1
        if ch in ("p", "P"):
            if self.p.startswith("{", self.pos):
                self.pos = self.p.index("}", self.pos) + 1
            else:
                self.pos += 1
            return None
        if ch in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[ch]
        if ch.isascii() and ch.isalnum():
            return None
        return ch


def odds(atom: Atom, key_length: int = 1) -> float:
    """A rough chance that a message holds ``atom`` (a literal of ``key_length`` characters, or a named fact)."""
    if isinstance(atom, str):
        if atom.startswith(SIGNAL_PREFIX):
            return 0.05
        return _NAMED_ODDS.get(atom, 0.5)
    return 0.3 if key_length <= 1 else 0.05 if key_length == 2 else 0.01


def _string_odds(text: str) -> float:
    return odds(0, len(text))


def best_strings(candidates: Iterable[frozenset[str]]) -> frozenset[str] | None:
    """The most selective of several sets of strings that are each required (the least likely to occur)."""
    best: frozenset[str] | None = None
    best_odds = float("inf")
    for candidate in candidates:
        total = sum(_string_odds(s) for s in candidate)
        if total < best_odds:
            best, best_odds = candidate, total
    return best
