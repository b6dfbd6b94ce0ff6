"""Shared by the accelerators' differential tests (tests/test_native_*.py)."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

from smsguard import native


def missing_accelerator(name: str) -> NoReturn:
    """End the calling test module, whose accelerator ``name`` is not in use: a skip, or a failure where the
    accelerator must be in use (``SMSGUARD_REQUIRE_NATIVE=1``, as in CI, and not turned off by
    ``SMSGUARD_PURE_PYTHON``)."""
    if os.environ.get("SMSGUARD_REQUIRE_NATIVE") == "1" and not native.turned_off(name):
        pytest.fail(f"the native accelerator {name} is not built", pytrace=False)
    pytest.skip(f"the native accelerator {name} is not built or is turned off", allow_module_level=True)
