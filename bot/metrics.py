"""Every Prometheus metric the bot exports, declared in one place (served on GET /metrics).

Counters and histograms are updated where things happen; the gauges of what is open or pending are read
from the database when /metrics is scraped, with queries that use indexes only (bot/web.py).
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

REQUESTS = Counter("secondline_slack_requests_total", "Requests received on /slack/events", ["outcome"])
ACK_SECONDS = Histogram(
    "secondline_ack_seconds",
    "Time from a Slack request arriving to its answer (the acknowledgement), by surface",
    ["surface"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0),
)
OPEN_TICKETS = Gauge(
    "secondline_open_tickets",
    "Tickets not resolved, by priority, status and plan",
    ["priority", "status", "plan"],
)
SLA_BREACHES = Counter(
    "secondline_sla_breaches_total", "SLA targets breached, by target and priority", ["target", "priority"]
)
PAGES = Counter("secondline_pages_total", "People paged, by escalation level", ["level"])
PAGE_LAG_SECONDS = Histogram(
    "secondline_page_lag_seconds",
    "How long after its due time a page reached Slack",
    buckets=(0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600),
)
JOBS_PENDING = Gauge("secondline_jobs_pending", "Jobs waiting to run (timers and Slack output)")
OLDEST_OVERDUE_SECONDS = Gauge(
    "secondline_oldest_overdue_job_seconds", "How long the oldest due job has waited"
)
JOBS_FAILED_NOW = Gauge("secondline_failed_jobs", "Jobs ended as failed and kept for operators")
JOBS_FAILED = Counter(
    "secondline_jobs_failed_total", "Jobs ended for good, by kind and reason", ["kind", "reason"]
)
SLACK_CALLS = Counter(
    "secondline_slack_api_calls_total",
    "Slack Web API calls by method and outcome (ok, 429, 5xx, network, or Slack's error code)",
    ["method", "outcome"],
)
