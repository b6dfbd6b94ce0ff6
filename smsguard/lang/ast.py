"""The syntax tree of a rule file: frozen, slotted dataclasses that remember where they were written.

Locations do not take part in equality, so a pack that was formatted and parsed again compares equal to the
original.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from smsguard.diagnostics import Location

NOWHERE = Location("<unknown>", 0, 0)


def _loc() -> Location:
    return field(default=NOWHERE, compare=False, repr=False)


# ---- expressions ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Literal:
    """A quoted string searched for in the normalized text."""

    text: str
    loc: Location = _loc()


@dataclass(frozen=True, slots=True)
class Regex:
    """A ``/pattern/flags`` regular expression for the linear-time engine."""

    pattern: str
    flags: str = ""
    loc: Location = _loc()


@dataclass(frozen=True, slots=True)
class Number:
    value: float
    loc: Location = _loc()


@dataclass(frozen=True, slots=True)
class Bool:
    value: bool
    loc: Location = _loc()


@dataclass(frozen=True, slots=True)
class Ref:
    """A bare name: a named list (meaning any of its terms) or another rule (a composite)."""

    name: str
    loc: Location = _loc()


@dataclass(frozen=True, slots=True)
class KeywordArgument:
    name: str
    value: Expr
    loc: Location = _loc()


@dataclass(frozen=True, slots=True)
class Call:
    """A function call such as ``any(legal_terms)`` or ``near("起诉", "法院", within=10)``."""

    name: str
    args: tuple[Expr, ...] = ()
    kwargs: tuple[KeywordArgument, ...] = ()
    loc: Location = _loc()


@dataclass(frozen=True, slots=True)
class Compare:
    op: str
    left: Expr
    right: Expr
    loc: Location = _loc()


@dataclass(frozen=True, slots=True)
class NOf:
    """``N of (a, b, c)``: at least N of the conditions hold."""

    count: int
    items: tuple[Expr, ...]
    loc: Location = _loc()


@dataclass(frozen=True, slots=True)
class Not:
    item: Expr
    loc: Location = _loc()


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Expr, ...]
    loc: Location = _loc()


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Expr, ...]
    loc: Location = _loc()


@dataclass(frozen=True, slots=True)
class StringList:
    """``["a", "b"]``: a property value, or inside a condition an unnamed list of terms."""

    items: tuple[str, ...]
    loc: Location = _loc()


Expr = Literal | Regex | Number | Bool | Ref | StringList | Call | Compare | NOf | Not | And | Or

# ---- declarations --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NameValue:
    """An unquoted identifier as a property value, e.g. ``category: scam``."""

    name: str
    loc: Location = _loc()


PropValue = str | float | bool | NameValue | StringList


@dataclass(frozen=True, slots=True)
class Prop:
    name: str
    value: PropValue
    loc: Location = _loc()


@dataclass(frozen=True, slots=True)
class Example:
    """A message a rule must fire on (``hit``) or must not fire on (``miss``)."""

    kind: str
    text: str
    sender: str | None = None
    received_at: str | None = None
    loc: Location = _loc()


@dataclass(frozen=True, slots=True)
class PackHeader:
    name: str
    version: str
    loc: Location = _loc()


@dataclass(frozen=True, slots=True)
class Include:
    path: str
    loc: Location = _loc()


@dataclass(frozen=True, slots=True)
class CategoryDecl:
    name: str
    props: tuple[Prop, ...]
    loc: Location = _loc()


@dataclass(frozen=True, slots=True)
class FileRef:
    """``file("lexicons/x.txt")`` relative to the rule file, or ``file("lexicon:NAME")`` from a plugin."""

    path: str
    loc: Location = _loc()


@dataclass(frozen=True, slots=True)
class ListDecl:
    name: str
    value: StringList | FileRef
    loc: Location = _loc()


@dataclass(frozen=True, slots=True)
class RuleDecl:
    name: str
    props: tuple[Prop, ...]
    when: Expr | None
    examples: tuple[Example, ...] = ()
    loc: Location = _loc()
    when_loc: Location = _loc()


@dataclass(frozen=True, slots=True)
class Override:
    """Changes properties of a rule declared by an earlier pack (e.g. its weight)."""

    name: str
    props: tuple[Prop, ...]
    loc: Location = _loc()


@dataclass(frozen=True, slots=True)
class Disable:
    """Turns off a rule declared by an earlier pack."""

    name: str
    loc: Location = _loc()


Item = PackHeader | Include | CategoryDecl | ListDecl | RuleDecl | Override | Disable


@dataclass(frozen=True, slots=True)
class RuleFile:
    """One parsed rule file."""

    path: str
    items: tuple[Item, ...]
    source: str = field(default="", compare=False, repr=False)

    @property
    def header(self) -> PackHeader | None:
        for item in self.items:
            if isinstance(item, PackHeader):
                return item
        return None
