"""The sender checker's body in C (plugins/_native/sender.c); the Python reference is sender.detect_reference."""

from collections.abc import Callable
from typing import Any

from smsguard.extract import Features
from smsguard.model import Message, Signal
from smsguard.normalize import NormalizedText

def detect(message: Message, text: NormalizedText, features: Features) -> list[Signal]: ...
def bind(
    *,
    reference: Callable[[Message, NormalizedText, Features], list[Signal]],
    brand_mismatch: Callable[..., Signal | None],
    judged: Callable[[str, str], tuple[Any, tuple[Signal, ...]]],
    message: Callable[[NormalizedText], Any],
    from_lexicons: Callable[..., Any],
    port_table_args: tuple[str, tuple[str, ...], Callable[..., Any]],
    port_table: type,
    find_claims: Callable[..., tuple[Any, ...]],
    make_signal: Callable[..., Signal],
    native_records: bool,
    signal: type[Signal],
    claim: type,
    sender_info: type[tuple[Any, ...]],
    plugin: str,
    empty: tuple[Any, tuple[Signal, ...]],
    kinds: tuple[str, str, str, str, str, str, str, str, str],
    cannot_mismatch: frozenset[str],
    personal: frozenset[str],
) -> Callable[[Message, NormalizedText, Features], list[Signal]]: ...
