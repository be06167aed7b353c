"""A real headless Chromium (Debian's `chromium` package; Playwright downloads no browser here) driven by
Playwright for Python, on the playground served over HTTP. Without Chromium or Playwright these tests are
skipped with the reason on a laptop; under CI (CI=true) that fails the run."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.playground import Playground, start_playground

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
VIEWPORT = {"width": 1440, "height": 900}


def browser_missing(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI must run the browser tests (.ci/run installs what they need)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or (CHROMIUM if Path(CHROMIUM).exists() else None)
    if path is None:
        browser_missing("Chromium is not installed (apt-get install -y chromium)")
    return str(path)


@pytest.fixture
async def playground(tmp_path: Path) -> AsyncIterator[Playground]:
    async for running in start_playground(tmp_path / "playground"):
        yield running


@pytest.fixture
async def page(chromium_path: str, tmp_path: Path) -> AsyncIterator[Any]:
    """A page in a fresh Chromium profile, in US Central time (where Slack dates are then shown); a
    JavaScript error on the page fails the test."""
    try:
        from playwright.async_api import async_playwright
    except ImportError as exc:
        browser_missing(f"Playwright is not installed ({exc}); pip install -e '.[test]'")
        raise
    errors: list[str] = []
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=chromium_path,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=VIEWPORT,
            timezone_id="America/Chicago",
            locale="en-US",
        )
        try:
            shown = context.pages[0] if context.pages else await context.new_page()
            shown.on("pageerror", lambda error: errors.append(str(error)))
            shown.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            yield shown
        finally:
            await context.close()
    assert not errors, f"the page logged errors: {errors}"
