from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from smsguard import Engine

# Property tests: fewer examples in CI (CI=true) to keep the suite fast, more on a developer's machine.
# HYPOTHESIS_PROFILE=ci|dev overrides the choice.
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile(
    "ci", max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI", "").lower() == "true" else "dev")
)


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine.default()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    from plugin_helpers import parametrize_signal_table

    parametrize_signal_table(metafunc)
