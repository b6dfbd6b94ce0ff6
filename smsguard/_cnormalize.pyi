"""The native accelerator of smsguard.normalize (smsguard/_native/normalize.c)."""

from collections.abc import Callable, Sequence

from smsguard.normalize import NormalizationStep, NormalizedText

class Plan:
    def __init__(
        self,
        record: type[NormalizedText],
        separators: str,
        cjk: str,
        t2s: str,
        variants: Sequence[str],
        lookalike_test: Callable[[str], object] | None,
        tail: tuple[NormalizationStep, ...],
    ) -> None: ...
    def normalize(self, original: str, any: bool, /) -> NormalizedText | None: ...

def set_fold(function: Callable[[str], str], /) -> None: ...
