"""The link checker's body in C (plugins/_native/link.c); the Python reference is link.detect_reference."""

from collections.abc import Callable
from typing import Any, final

from smsguard.extract import Features
from smsguard.model import Message, Signal
from smsguard.normalize import NormalizedText

@final
class Detector:
    def __call__(self, message: Message, text: NormalizedText, features: Features, /) -> list[Signal]: ...

def bind(
    *,
    reference: Callable[[Message, NormalizedText, Features], list[Signal]],
    signal: type[Signal],
    features: type[Features],
    link: type,
    claim: type,
    parts: type,
    lists: type,
    message: Callable[[NormalizedText], Any],
    from_lexicons: Callable[..., Any],
    list_args: tuple[str, tuple[str, ...], Callable[..., Any]],
    official_args: tuple[str, tuple[str, ...], Callable[..., Any]],
    display_args: tuple[str, tuple[str, ...], Callable[..., Any]],
    find_claims: Callable[..., tuple[Any, ...]],
    split: Callable[[str], Any],
    readable: Callable[[str], str],
    ip_host: Callable[[str], object],
    numeric_label: Callable[[str], object],
    plugin: str,
    memo_limit: int,
    spelling_prefix: int,
) -> Detector: ...
