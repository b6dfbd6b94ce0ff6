"""The collector-name checker's body in C (plugins/_native/collector.c); the Python reference is
collector.detect_reference."""

from collections.abc import Mapping
from typing import Any, final

from smsguard.extract import Features
from smsguard.model import Message, Signal
from smsguard.normalize import NormalizedText

from ._native_binding import Detect

@final
class Detector:
    """detector(message, text, features): the signals of collector.detect_reference, computed in C."""

    def __call__(self, message: Message, text: NormalizedText, features: Features, /) -> list[Signal]: ...

def bind(reference: Detect, tables: Mapping[str, Any], /) -> Detector: ...
