from pathlib import Path

import pytest

from bot.settings import DEFAULT_DATABASE_URL, SLACK_API_DEFAULT, Settings, SettingsError

BASE = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "shh"}


def test_defaults_are_sqlite_no_redis_port_3000() -> None:
    settings = Settings.from_env(BASE)
    assert settings.database_url == DEFAULT_DATABASE_URL and settings.redis_url is None
    assert (
        settings.port == 3000 and settings.slack_api_url == SLACK_API_DEFAULT and settings.app_token is None
    )
    assert settings.support_config == Path("config/support.example.yml")


def test_everything_can_be_set() -> None:
    settings = Settings.from_env(
        {
            **BASE,
            "DATABASE_URL": "postgresql://u:secret@db/x",
            "REDIS_URL": "redis://r",
            "PORT": "8080",
            "SLACK_API_URL": "http://127.0.0.1:9/api",
            "LOG_LEVEL": "debug",
            "SLACK_APP_TOKEN": "xapp-1",
            "SUPPORT_CONFIG": "/etc/p.yml",
        }
    )
    assert settings.port == 8080 and settings.slack_api_url == "http://127.0.0.1:9/api/"
    assert settings.log_level == "DEBUG" and settings.app_token == "xapp-1"
    assert "secret" not in repr(settings) and "xoxb" not in repr(settings) and "shh" not in repr(settings)


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"SLACK_BOT_TOKEN": ""}, "SLACK_BOT_TOKEN"),
        ({"SLACK_SIGNING_SECRET": " "}, "SLACK_SIGNING_SECRET"),
        ({"PORT": "0"}, "PORT"),
        ({"SLACK_API_URL": "slack.com"}, "SLACK_API_URL"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"SLACK_APP_TOKEN": "abc"}, "SLACK_APP_TOKEN"),
    ],
)
def test_bad_settings_name_themselves(extra: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        Settings.from_env({**BASE, **extra})


def test_issue_tracker_credentials_are_read_once_and_never_shown() -> None:
    env = {**BASE, "GITHUB_TOKEN": " ghp_abc ", "JIRA_EMAIL": "bot@example.com", "JIRA_TOKEN": "jira-tok"}
    settings = Settings.from_env(env)
    assert (settings.github_token, settings.jira_email, settings.jira_token) == (
        "ghp_abc",
        "bot@example.com",
        "jira-tok",
    )
    shown = repr(settings)
    assert "ghp_abc" not in shown and "jira-tok" not in shown and "bot@example.com" not in shown
    assert Settings.from_env(BASE).github_token is None
