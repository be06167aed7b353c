"""Every Prometheus metric the bot exports, declared in one place (served on GET /metrics)."""

from __future__ import annotations

from prometheus_client import Counter

REQUESTS = Counter("secondline_slack_requests_total", "Requests received on /slack/events", ["outcome"])
JOBS_FAILED = Counter(
    "secondline_jobs_failed_total", "Jobs ended for good, by kind and reason", ["kind", "reason"]
)
SLACK_CALLS = Counter(
    "secondline_slack_api_calls_total",
    "Slack Web API calls by method and outcome (ok, 429, 5xx, network, or Slack's error code)",
    ["method", "outcome"],
)
