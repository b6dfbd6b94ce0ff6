"""The optional native accelerators: C versions of hot stages, each tested against its pure-Python reference.

Every accelerated function keeps its Python version beside it, as the reference and the fallback: an install
without a C compiler, or ``SMSGUARD_PURE_PYTHON=1`` in the environment when smsguard is imported, runs the pure
Python path and judges exactly as the native one does (the differential tests hold both to the same results).
``SMSGUARD_PURE_PYTHON=extract,host`` turns off only the accelerators named.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

# short name -> module; setup.py builds the same list
MODULES: dict[str, str] = {
    "normalize": "smsguard._cnormalize",
    "extract": "smsguard._cextract",
    "host": "smsguard._chost",
    "engine": "smsguard._cengine",
    "termscan": "smsguard._ctermscan",
    "conditions": "smsguard._cconditions",
    "judge": "smsguard._cjudge",
    "evidence": "smsguard_plugins._cevidence",
    "brands": "smsguard_plugins._cbrands",
    "collector": "smsguard_plugins._ccollector",
    "credential": "smsguard_plugins._ccredential",
    "harassment": "smsguard_plugins._charassment",
    "legal": "smsguard_plugins._clegal",
    "link": "smsguard_plugins._clink",
    "payment": "smsguard_plugins._cpayment",
    "scripts": "smsguard_plugins._cscripts",
    "sender": "smsguard_plugins._csender",
    "specificity": "smsguard_plugins._cspecificity",
    "urgency": "smsguard_plugins._curgency",
}
PURE_ENV = "SMSGUARD_PURE_PYTHON"


def turned_off(name: str) -> bool:
    """Whether ``SMSGUARD_PURE_PYTHON`` asks for the pure-Python path of the accelerator ``name``."""
    setting = os.environ.get(PURE_ENV, "").strip().lower()
    if setting in ("", "0", "false", "no"):
        return False
    if setting in ("1", "true", "yes", "all"):
        return True
    return name in {part.strip() for part in setting.split(",")}


def load(name: str) -> ModuleType | None:
    """The accelerator ``name``, or None when it is not built or the pure-Python path is asked for."""
    if turned_off(name):
        return None
    try:
        return importlib.import_module(MODULES[name])
    except ImportError:
        return None


def status() -> dict[str, bool]:
    """For each accelerator, whether this process uses it."""
    return {name: load(name) is not None for name in MODULES}
