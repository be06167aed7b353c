"""The deployment files agree with the bot: compose.yaml, the Dockerfile and the systemd example use the
settings the bot reads, its health check, and the README's commands. (Docker cannot run here.)"""

from __future__ import annotations

import configparser
import re
from urllib.parse import urlparse

import yaml

from bot.settings import ENV_VARS
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def readme_run_command() -> str:
    return re.search(
        r"```sh\n(python3 -m venv V && V/bin/pip install -e \. && V/bin/python -m bot)\n```", README
    )[1]  # type: ignore[index]


def test_compose_runs_two_replicas_on_postgres_and_redis_behind_one_port() -> None:
    services = COMPOSE["services"]
    assert set(services) == {"postgres", "redis", "bot", "proxy"}
    bot = services["bot"]
    assert bot["deploy"]["replicas"] == 2
    env = bot["environment"]
    assert set(env) <= set(ENV_VARS), set(env) - set(ENV_VARS)
    assert {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "DATABASE_URL", "REDIS_URL", "SUPPORT_CONFIG"} <= set(
        env
    )
    assert urlparse(env["DATABASE_URL"]).hostname == "postgres" and env["DATABASE_URL"].startswith(
        "postgres://"
    )
    assert urlparse(env["REDIS_URL"]).hostname == "redis"
    assert "${SLACK_BOT_TOKEN" in env["SLACK_BOT_TOKEN"]  # from the environment or .env, never in the file
    assert {name: dep["condition"] for name, dep in bot["depends_on"].items()} == {
        "postgres": "service_healthy",
        "redis": "service_healthy",
    }
    port = env["PORT"]
    assert f"127.0.0.1:{port}/healthz" in " ".join(bot["healthcheck"]["test"])
    assert services["proxy"]["ports"] == [f"{port}:{port}"]
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert f"http://bot:{port}" in nginx and f"listen {port}" in nginx
    for name in ("postgres", "redis", "bot"):
        assert services[name]["healthcheck"]["test"], name


def test_the_dockerfile_runs_the_readme_commands_as_a_non_root_user() -> None:
    setup, _, run = readme_run_command().rpartition(" && ")
    assert setup.replace(" -e .", " --no-cache-dir .") in DOCKERFILE  # the README's set-up, not editable
    assert f"CMD [{', '.join(f'{chr(34)}{w}{chr(34)}' for w in run.split())}]" in DOCKERFILE
    assert re.search(r"^FROM python:3\.11-slim$", DOCKERFILE, re.M)
    assert re.search(r"^USER secondline$", DOCKERFILE, re.M)
    assert "HEALTHCHECK" in DOCKERFILE and "/healthz" in DOCKERFILE


def test_the_systemd_example_restarts_on_failure_and_reads_its_environment_file() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read_string((ROOT / "deploy" / "secondline.service").read_text())
    service = unit["Service"]
    assert service["Restart"] == "on-failure" and service["RestartPreventExitStatus"] == "2"
    assert service["ExecStart"].endswith("V/bin/python -m bot")
    assert service["EnvironmentFile"] == "/etc/secondline/secondline.env"
    example = (ROOT / "deploy" / "secondline.env.example").read_text()
    named = set(re.findall(r"^#?\s*([A-Z_]+)=", example, re.M))
    assert named <= set(ENV_VARS) and {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "DATABASE_URL"} <= named


def test_the_readme_lists_every_setting() -> None:
    for name in ENV_VARS:
        assert f"| `{name}` |" in README, name
