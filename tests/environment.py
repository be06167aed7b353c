"""Environment variables that would mislead a Slack client talking to a local stand-in: slack_sdk honours
HTTP(S)_PROXY but not NO_PROXY, and Bolt switches to OAuth when a client id and secret are set."""

MISLEADING = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "http_proxy",
    "https_proxy",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
)
