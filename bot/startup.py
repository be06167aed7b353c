"""Start-up checks against Slack: a definite misconfiguration stops the bot with one line naming the setting;
Slack being unreachable does not (a Slack outage must not stop a deploy): the check runs again later."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.clock import Clock
from bot.policy import EMAIL, Policy
from bot.slack.api import SlackApi
from bot.slack.errors import BROKEN_INSTALL, SlackBusy, SlackRefused

log = logging.getLogger(__name__)

RECHECK_SECONDS = 60.0


class StartupProblem(Exception):
    """A setting Slack says is wrong; the message is the one line the operator reads."""


@dataclass
class SlackHealth:
    """What the last check found; /healthz reports it."""

    checked: bool = False
    reachable: bool = False
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Customers' own channels: one line per problem (they do not stop the bot: one customer's channel must
    # not stop support for all), whether each is shared, and shares Slack reported ended since.
    channel_problems: list[str] = field(default_factory=list)
    shared: dict[str, bool] = field(default_factory=dict)
    unshared: dict[str, str] = field(default_factory=dict)
    team_id: str | None = None  # the vendor's workspace, as auth.test names it

    def degraded(self) -> list[str]:
        found = list(self.problems) + list(self.channel_problems) + list(self.unshared.values())
        if not self.reachable:
            found.append("Slack has not answered the start-up check yet; checking again")
        return found


@dataclass
class StartupCheck:
    api: SlackApi
    policy: Policy
    clock: Clock
    health: SlackHealth = field(default_factory=SlackHealth)

    async def run(self) -> bool:
        """Check the token and the support channel.

        True: Slack answered and all is well. False: Slack did not answer (try again later). Raises
        StartupProblem when Slack answers definitely that something is wrong.
        """
        problems: list[str] = []
        try:
            answer = await self.api.answer("auth.test")
        except SlackBusy as exc:
            self.health.reachable = False
            log.warning("Slack did not answer the start-up check (%s); starting anyway", exc)
            return False
        except SlackRefused as exc:
            self.health.reachable = True
            raise StartupProblem(
                f"SLACK_BOT_TOKEN: Slack says {exc.error}; {_token_hint(exc.error)}"
            ) from exc
        self.health.reachable = True
        self.health.team_id = str(answer.data.get("team_id") or "") or None
        scopes = {s.strip() for s in (answer.headers.get("X-OAuth-Scopes") or "").split(",") if s.strip()}
        warnings = self._scope_warnings(scopes) if scopes else []
        channel = self.policy.support_channel
        try:
            info = await self.api.call("conversations.info", channel=channel)
        except SlackBusy as exc:
            self.health.reachable = False
            log.warning("Slack did not answer conversations.info (%s); starting anyway", exc)
            return False
        except SlackRefused as exc:
            if exc.error == "missing_scope":
                warnings.append(
                    f"support_channel {channel}: cannot check the channel without the "
                    f"{exc.needed or 'channels:read'} scope; add it to the app (see manifest.yml)"
                )
            elif exc.error in BROKEN_INSTALL:
                raise StartupProblem(
                    f"SLACK_BOT_TOKEN: Slack says {exc.error}; {_token_hint(exc.error)}"
                ) from exc
            else:
                problems.append(
                    f"support_channel {channel}: Slack says {exc.error}; {_channel_hint(exc.error)}"
                )
        else:
            details = info.get("channel") or {}
            if details.get("is_archived"):
                problems.append(
                    f"support_channel {channel}: the channel is archived; unarchive it or name another"
                )
            elif not details.get("is_member", False):
                problems.append(
                    f"support_channel {channel}: the bot is not a member; invite it with /invite @Secondline"
                )
        if not await self._check_customer_channels():
            return False
        for warning in warnings:
            log.warning("%s", warning)
        self.health.checked, self.health.problems, self.health.warnings = True, problems, warnings
        if problems:
            raise StartupProblem(problems[0])
        return True

    async def _check_customer_channels(self) -> bool:
        """Each customer channel: it exists, the bot is in it, and whether it is shared with the customer's
        organisation (is_ext_shared). False: Slack did not answer (checked again later)."""
        problems: list[str] = []
        for key, customer in self.policy.customers.items():
            for channel in customer.channels:
                where = f"customers.{key}.channels {channel}"
                try:
                    info = await self.api.call("conversations.info", channel=channel)
                except SlackBusy as exc:
                    log.warning("Slack did not answer conversations.info for %s (%s)", channel, exc)
                    return False
                except SlackRefused as exc:
                    if exc.error == "missing_scope":
                        problems.append(f"{where}: cannot check the channel without the {exc.needed} scope")
                    else:
                        problems.append(f"{where}: Slack says {exc.error}; {_channel_hint(exc.error)}")
                    continue
                details = info.get("channel") or {}
                if details.get("is_archived"):
                    problems.append(f"{where}: the channel is archived; unarchive it or remove it")
                elif not details.get("is_member", False):
                    problems.append(f"{where}: the bot is not a member; invite it with /invite @Secondline")
                self.health.shared[channel] = bool(details.get("is_ext_shared"))
                if not details.get("is_ext_shared"):
                    log.info("%s is not shared with another organisation (an internal channel)", where)
        for problem in problems:
            if problem not in self.health.channel_problems:
                log.error("%s", problem)
        self.health.channel_problems = problems
        return True

    def _scope_warnings(self, scopes: set[str]) -> list[str]:
        emails = any(EMAIL.match(person) for person in self.policy.escalation_people)
        domains = any(customer.domains for customer in self.policy.customers.values())
        if (emails or domains) and "users:read.email" not in scopes:
            return [
                "SLACK_BOT_TOKEN lacks the users:read.email scope: the policy names people by e-mail or "
                "lists customer domains, which Slack answers only with that scope; add it and reinstall"
            ]
        return []

    async def run_within(self, seconds: float) -> bool:
        """`run`, but Slack taking longer than `seconds` counts as unreachable (checked again later)."""
        try:
            return await asyncio.wait_for(self.run(), seconds)
        except TimeoutError:
            self.health.reachable = False
            log.warning("Slack did not answer the start-up check within %.0f s; starting anyway", seconds)
            return False

    @property
    def healthy(self) -> bool:
        return self.health.checked and self.health.reachable and not self.health.problems

    async def keep_checking(
        self, worth_checking: Callable[[], Awaitable[bool]], on_healthy: Callable[[], Awaitable[None]]
    ) -> None:
        """In the background: while Slack has not answered, a problem is known or deliveries have failed,
        check again every minute; when the check passes, `on_healthy` retries what failed."""
        last_problem: str | None = None
        while True:
            await self.clock.sleep(RECHECK_SECONDS)
            if self.healthy and not await worth_checking():
                continue
            try:
                passed = await self.run()
            except StartupProblem as exc:
                self.health.problems = [str(exc)]
                if str(exc) != last_problem:
                    log.error("%s", exc)
                last_problem = str(exc)
                continue
            except Exception:  # the check must never stop; it tries again next time
                log.exception("the Slack check failed")
                continue
            if passed:
                if last_problem:
                    log.info("Slack check passes again")
                last_problem = None
                await on_healthy()


def _token_hint(error: str) -> str:
    if error in ("account_inactive", "token_revoked", "token_expired"):
        return "reinstall the app and copy the new Bot User OAuth Token (xoxb-…)"
    return "copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions"


def _channel_hint(error: str) -> str:
    if error in ("channel_not_found", "not_in_channel"):
        return "invite the bot with /invite @Secondline, or check the channel id"
    return "check the channel id in the policy file"
