"""Imported first by every benchmark: puts the repository on the path and clears the environment variables
that would mislead the Slack clients."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.environment import MISLEADING  # noqa: E402 (needs the path above)

for name in MISLEADING:
    os.environ.pop(name, None)
