"""``Engine.judge`` of one message in one C call (``smsguard._cjudge``), when every stage has its C version.

:func:`native_judge` builds, for one engine, the function that stands in for ``Engine.judge``: the same stages
(:func:`~smsguard.intake.check_input`, the normalizer's plan, :func:`~smsguard.extract.extract`, the host's detect
loop, the evaluator's ``conclude``) called through the same objects, without the Python frames between them.
``Engine._judge_one`` stays the reference. What the engine decides once (its class, its normalizer's and its
host's classes) is checked here; what may change between messages (the engine's attributes the path reads,
the guard, ``time.perf_counter``) is checked by the C at every message, which then hands the message to
``Engine._judge_one`` when one of them is not as it was.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from smsguard import host_detect
from smsguard.extract import extract
from smsguard.intake import check_input
from smsguard.model import Message
from smsguard.native import load
from smsguard.normalize import Normalizer
from smsguard.plugin_guard import BUDGET_CHARS, Guard
from smsguard.plugins import PluginHost

if TYPE_CHECKING:
    from smsguard.engine import Engine, Judgement

_native = load("judge")


def native_judge(engine: Engine) -> Callable[[Message], Judgement] | None:
    """``engine``'s C ``judge``, or None when the accelerator is off, or when a stage of ``engine`` has no C
    version or is replaced by a subclass."""
    from smsguard import engine as engine_module

    if _native is None:
        return None
    reference, kind = engine_module.Engine, type(engine)
    normalizer, host = engine.normalizer, engine.host
    detection = host._detection
    loop, plan = detection._loop, normalizer._plan
    if (
        loop is None
        or plan is None
        or any(getattr(kind, name) is not getattr(reference, name) for name in ("judge", "_judge_one", "_conclude"))
        or type(normalizer).normalize_any is not Normalizer.normalize_any
        or type(host).detect is not PluginHost.detect
        or type(detection).run is not host_detect.Detection.run
    ):
        return None
    fast = engine._fast
    conclude = fast.conclude if fast is not None and engine._concludes_natively else None
    pins = (
        (engine, "normalizer", normalizer),
        (engine, "host", host),
        (engine, "_fast", fast),
        (engine, "_find_spans", engine._find_spans),
        (engine, "_concludes_natively", engine._concludes_natively),
        (normalizer, "_plan", plan),
        (host, "_detection", detection),
        (detection, "_loop", loop),
        (engine_module, "check_input", check_input),
        (engine_module, "extract", extract),
        (time, "perf_counter", host_detect.PERF_COUNTER),
    )
    judge = _native.Judge(
        engine,
        host,
        engine._lock,
        plan.normalize,
        extract,
        loop.run,
        conclude,
        engine._find_spans,
        Message,
        Guard,
        BUDGET_CHARS,
        pins,
    )
    return judge.judge  # type: ignore[no-any-return]
