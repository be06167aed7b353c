"""GitHub's published webhook examples (`@octokit/webhooks-examples`, fetched from the npm registry once
and cached under .pytest_cache), and the derivations the issue allows: only `action`, `state`,
`state_reason`, `closed_at`, `merged` and `merged_at` change."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import service_missing

PACKAGE = "@octokit/webhooks-examples@7.6.1"
INDEX = "package/api.github.com/index.json"
CLOSED_AT = "2026-11-17T16:00:00Z"


def _fetch(cache: Path) -> Path:
    index = cache / "index.json"
    if index.exists():
        return index
    npm = shutil.which("npm")
    if npm is None:
        service_missing("npm (for @octokit/webhooks-examples)", FileNotFoundError("npm"))
    try:
        done = subprocess.run(
            [str(npm), "pack", PACKAGE, "--silent", "--pack-destination", str(cache)],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        service_missing("the npm registry", exc)
    archive = cache / done.stdout.strip().splitlines()[-1]
    with tarfile.open(archive) as tar:
        member = tar.extractfile(INDEX)
        assert member is not None, f"{PACKAGE} has no {INDEX}"
        index.write_bytes(member.read())
    return index


@pytest.fixture(scope="session")
def octokit(request: pytest.FixtureRequest) -> dict[str, list[dict[str, Any]]]:
    """Every example payload of api.github.com, by event name."""
    index = _fetch(Path(request.config.cache.mkdir("octokit-webhooks-examples")))
    return {event["name"]: event["examples"] for event in json.loads(index.read_text())}


def example(octokit: dict[str, list[dict[str, Any]]], event: str, action: str) -> dict[str, Any]:
    found = [e for e in octokit[event] if e["action"] == action]
    assert found, f"no {event}.{action} example"
    return copy.deepcopy(found[0])


def issue_closed_completed(octokit: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """From the published `issues.reopened`: the same issue closed as completed."""
    payload = example(octokit, "issues", "reopened")
    payload["action"] = "closed"
    payload["issue"].update(state="closed", state_reason="completed", closed_at=CLOSED_AT)
    return payload


def issue_closed_not_planned(octokit: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    payload = issue_closed_completed(octokit)
    payload["issue"]["state_reason"] = "not_planned"
    return payload


def pull_request_merged(octokit: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """From the published unmerged `pull_request.closed`: the same pull request merged."""
    payload = example(octokit, "pull_request", "closed")
    assert payload["pull_request"]["merged"] is False
    payload["pull_request"].update(merged=True, merged_at=payload["pull_request"]["closed_at"])
    return payload
