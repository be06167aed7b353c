"""The transport to Slack's Web API: the one place that calls it, maps its errors and paces it."""
