"""A real headless Chromium (Debian's `chromium` package; Playwright downloads no browser here) driven by
Playwright for Python, on the playground served over HTTP. Without Chromium or Playwright these tests are
skipped with the reason on a laptop; under CI (CI=true) that fails the run.

One browser serves the whole run (starting it is the slow part); each test gets a fresh context (its own
storage) and page on a playground of its own. Everything runs on the session's event loop, where the
browser lives: test modules here mark themselves `pytest.mark.asyncio(loop_scope="session")`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.playground import Playground, start_playground

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
VIEWPORT = {"width": 1440, "height": 900}
# Neither the stand-in's default (US Central) nor UTC: a time the page drew in the browser's own timezone
# instead of the persona's shows up as wrong.
BROWSER_TIMEZONE = "Asia/Tokyo"


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


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser(chromium_path: str) -> AsyncIterator[Any]:
    try:
        from playwright.async_api import async_playwright
    except ImportError as exc:
        browser_missing(f"Playwright is not installed ({exc}); pip install -e '.[test]'")
        raise
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest_asyncio.fixture(loop_scope="session")
async def playground(tmp_path: Path) -> AsyncIterator[Playground]:
    async for running in start_playground(tmp_path / "playground"):
        yield running


@pytest_asyncio.fixture(loop_scope="session")
async def page(browser: Any) -> AsyncIterator[Any]:
    """A page in a fresh context, in a timezone no persona has; a JavaScript error on it fails the test."""
    errors: list[str] = []
    context = await browser.new_context(viewport=VIEWPORT, timezone_id=BROWSER_TIMEZONE, locale="en-US")
    try:
        shown = await context.new_page()
        shown.on("pageerror", lambda error: errors.append(str(error)))
        shown.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        yield shown
    finally:
        await context.close()
    assert not errors, f"the page logged errors: {errors}"
