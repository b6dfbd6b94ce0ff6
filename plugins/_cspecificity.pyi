"""The specificity detector's body in C (plugins/_native/specificity.c); the Python reference is
specificity.detect_reference."""

from collections.abc import Mapping
from typing import Any

from smsguard.extract import Features
from smsguard.model import Message, Signal
from smsguard.normalize import NormalizedText

from ._native_binding import Detect

def detect(message: Message, text: NormalizedText, features: Features, /) -> list[Signal]: ...
def bind(reference: Detect, tables: Mapping[str, Any], /) -> Detect: ...
