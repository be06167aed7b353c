"""Imported first by every benchmark: puts the repository on the path and clears what would mislead the
Slack clients (slack_sdk honours HTTP(S)_PROXY but not NO_PROXY; Bolt turns to OAuth when a client id and
secret are in the environment)."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
for name in (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "http_proxy",
    "https_proxy",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
):
    os.environ.pop(name, None)
