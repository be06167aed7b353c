"""`python -m bot [serve]` runs the bot; `check-config FILE` validates a policy file; `statement`,
`report`, `account` and `simulate` answer operators and managers on the command line (bot/cli.py);
`playground` runs the bot against a built-in Slack stand-in, shown in a browser (bot/playground/)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot import cli, logs
from bot.mail.config import mail_config
from bot.playground import main as playground
from bot.policy import ConfigError, load_config
from bot.settings import Settings, SettingsError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Secondline support escalation bot")
    sub = parser.add_subparsers(dest="action")
    sub.add_parser("serve", help="serve Slack requests (the default)")
    check = sub.add_parser("check-config", help="validate a policy file and exit")
    check.add_argument("file")
    cli.add_parsers(sub)
    playground.add_parser(sub)
    args = parser.parse_args(argv)
    if args.action in ("statement", "report", "account", "simulate"):
        return cli.run(args)
    if args.action == "playground":
        return playground.run(args)

    if args.action == "check-config":
        return cli.check_config(args.file)

    try:
        settings = Settings.from_env()
        policy = load_config(settings.support_config)
        mail_config(policy, settings.environment)  # a secret the policy names but the environment lacks
    except (SettingsError, ConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level, settings.log_format)
    from bot.serve import serve  # imported late: the checks above must not need the server stack
    from bot.startup import StartupProblem

    try:
        asyncio.run(serve(settings, policy))
    except StartupProblem as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
