"""The plugin host's detect loop in C (see smsguard.host_detect)."""

from collections.abc import Callable
from typing import Any

from smsguard.model import PluginFailure, Signal

class DetectLoop:
    def __init__(
        self,
        owner: object,
        detectors: list[tuple[str, Callable[..., Any], tuple[str, ...], tuple[str, str], tuple[int, ...] | None]],
        accepted: dict[str, tuple[str, tuple[type, ...]]],
        signal_type: type,
        guard_type: type,
        order: Callable[[Signal], Any],
        /,
    ) -> None: ...
    def run(
        self, guard: object, arguments: tuple[object, object, object], length: int, budget: float, /
    ) -> tuple[list[Signal], list[PluginFailure]]: ...

def perf_counter() -> float: ...
