"""The hook specifications of smsguard: only specs, one docstring each. See docs/plugins.md."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from smsguard.extract import Features
    from smsguard.functions import RuleFunction
    from smsguard.model import Message, Signal, SignalSpec, Verdict
    from smsguard.normalize import NormalizedText

hookspec = pluggy.HookspecMarker("smsguard")
hookimpl = pluggy.HookimplMarker("smsguard")


@hookspec
def smsguard_signals() -> Sequence[SignalSpec]:
    """Declare the signals this plugin may emit (name, value type, description); asked once at load time."""


@hookspec
def smsguard_detect(message: Message, text: NormalizedText, features: Features) -> Iterable[Signal] | None:
    """Detect signals in one message; return only signals this plugin declared, with spans in the original text.

    :param message: the message as received (original text, sender, time, meta).
    :param text: the normalized text with its offset map back to the original (``text.to_original(s, e)``).
    :param features: links, phone numbers, amounts, dates, signatures and case numbers found once for all.
    """


@hookspec
def smsguard_rule_packs() -> Sequence[Path | Traversable]:
    """Contribute rule pack files or directories (``.sg``), layered after the default pack in plugin-name order."""


@hookspec
def smsguard_lexicons() -> Mapping[str, Path | Traversable]:
    """Contribute named lexicon files that rule packs load with ``file("lexicon:NAME")``."""


@hookspec
def smsguard_functions() -> Sequence[RuleFunction]:
    """Contribute typed, pure functions to the rule language; a name may not shadow a built-in function."""


@hookspec
def smsguard_adjust_verdict(message: Message, verdict: Verdict) -> Verdict | None:
    """Adjust or post-process a finished verdict; return a new verdict or None to keep it.

    :param message: the message that was judged.
    :param verdict: the verdict so far (after earlier adjusters, in plugin-name order); its ``errors`` are kept.
    """
