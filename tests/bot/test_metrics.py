"""The sample Grafana dashboard asks only for metrics the bot exports."""

from __future__ import annotations

import json
import re

from prometheus_client.metrics import MetricWrapperBase

from bot import metrics
from tests.conftest import ROOT

SUFFIXES = {"counter": ("_total",), "gauge": ("",), "histogram": ("_bucket", "_count", "_sum")}


def exported_names() -> set[str]:
    found = set()
    for value in vars(metrics).values():
        if isinstance(value, MetricWrapperBase):
            found |= {value._name + suffix for suffix in SUFFIXES[value._type]}
    return found


def test_the_dashboard_uses_exported_metrics() -> None:
    dashboard = json.loads((ROOT / "docs" / "grafana-dashboard.json").read_text())
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    used = {name for expr in exprs for name in re.findall(r"secondline_[a-z_]+", expr)}
    missing = sorted(used - exported_names())
    assert not missing, missing
    assert len(used) >= 10
