"""smsguard: judge Chinese SMS about debts, loans and legal threats."""

from __future__ import annotations

__version__ = "0.1.0"

from smsguard.engine import Engine
from smsguard.errors import InputError, PluginError, RulePackError, SmsguardError
from smsguard.model import Hit, Message, PluginFailure, Signal, SignalSpec, Verdict

__all__ = [
    "Engine",
    "Hit",
    "InputError",
    "Message",
    "PluginError",
    "PluginFailure",
    "RulePackError",
    "Signal",
    "SignalSpec",
    "SmsguardError",
    "Verdict",
    "__version__",
]
