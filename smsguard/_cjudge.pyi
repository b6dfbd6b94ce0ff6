"""Engine.judge of one message in one C call (see smsguard.engine_judge)."""

from collections.abc import Callable
from typing import Any

class Judge:
    def __init__(
        self,
        engine: object,
        host: object,
        lock: object,
        normalize: Callable[[str, bool], Any],
        extract: Callable[[Any], Any],
        detect: Callable[..., Any],
        conclude: Callable[..., Any] | None,
        find_spans: Callable[[str], Any],
        message_type: type,
        guard_type: type,
        budget_chars: int,
        pins: tuple[tuple[object, str, object], ...],
        /,
    ) -> None: ...
    def judge(self, message: object, /) -> Any: ...
