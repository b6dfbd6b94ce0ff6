from __future__ import annotations

import pytest

from smsguard import Engine


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine.default()
