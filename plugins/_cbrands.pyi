"""The hot brand helpers of the link and sender checkers in C (plugins/_native/brands.c); the Python references
are in _brands.py (REFERENCE)."""

import re
from collections.abc import Callable
from typing import Any, TypeVar

from smsguard.extract import Features
from smsguard.normalize import NormalizedText

from ._brands import Claim

T = TypeVar("T")

def find_claims(ntext: NormalizedText, features: Features) -> tuple[Claim, ...]: ...
def from_lexicons(key: str, names: tuple[str, ...], build: Callable[..., T], env: str | None = None) -> T: ...
def bind(
    *,
    claim: type[Claim],
    normalized_text: type[NormalizedText],
    features: type[Features],
    link: type,
    text_feature: type,
    term_hit: type,
    entry: type,
    read: Callable[[NormalizedText], tuple[str, list[Any]]],
    last: list[Any],
    self_naming: Callable[..., re.Match[str] | None],
    introduction: Callable[..., re.Match[str] | None],
    window: int,
    opening: int,
    brand: str,
    claim_kind: str,
    message: Callable[[NormalizedText], Any],
    display_table_args: tuple[str, tuple[str, ...], Callable[..., Any]],
    derived: dict[str, tuple[str, Any]],
    references: dict[str, Callable[..., object]],
) -> bool: ...
