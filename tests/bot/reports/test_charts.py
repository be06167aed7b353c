"""The report chart: a real PNG of the intended size, drawn without pyplot."""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
from dataclasses import replace

import numpy as np
from matplotlib.image import imread

from bot.reports.charts import FIRST_COLOR, RESOLUTION_COLOR, render_chart
from tests.bot.reports.examples import example_report
from tests.conftest import ROOT

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DOCS_CHART = ROOT / "docs" / "report-chart.png"


def _size(png: bytes) -> tuple[int, int]:
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _pixels_of(png: bytes, color: str) -> int:
    image = imread(io.BytesIO(png))[..., :3]
    rgb = np.array([int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return int((np.abs(image - rgb).max(axis=-1) < 0.02).sum())


def test_chart_is_a_png_of_slack_preview_size_with_both_series_drawn() -> None:
    png = render_chart(example_report())
    assert _size(png) == (1000, 750)
    assert 20_000 < len(png) < 1_000_000
    assert png.rstrip(b"\x00").endswith(b"IEND\xaeB`\x82")
    # Bars and lines of both series are on it, in their colours.
    assert _pixels_of(png, FIRST_COLOR) > 2000 and _pixels_of(png, RESOLUTION_COLOR) > 2000
    if os.environ.get("SECONDLINE_WRITE_DOCS") == "1":
        DOCS_CHART.write_bytes(png)


def test_an_empty_report_says_so_and_draws_no_bars() -> None:
    report = replace(example_report(), rows=(), weeks=())
    png = render_chart(report)
    assert _size(png) == (1000, 750)
    assert _pixels_of(png, FIRST_COLOR) == 0


def test_rendering_uses_no_pyplot_and_the_bundled_font() -> None:
    code = (
        "import sys, warnings\n"
        "warnings.simplefilter('error')\n"  # a missing font is a warning: make it fail
        "from bot.reports.charts import render_chart\n"
        "from tests.bot.reports.examples import example_report\n"
        "assert render_chart(example_report())[:4] == b'\\x89PNG'\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
