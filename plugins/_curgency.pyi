"""The urgency detector's body in C (plugins/_native/urgency.c); the Python reference is
urgency.detect_reference."""

from collections.abc import Mapping
from typing import Any

from smsguard.extract import Features
from smsguard.model import Message, Signal
from smsguard.normalize import NormalizedText

from ._native_binding import Detect

def detect(message: Message, text: NormalizedText, features: Features, /) -> list[Signal]: ...
def bind(reference: Detect, tables: Mapping[str, Any], /) -> Detect: ...
