from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.playground import Playground, start_playground


@pytest.fixture
async def playground(tmp_path: Path) -> AsyncIterator[Playground]:
    async for running in start_playground(tmp_path / "playground"):
        yield running
