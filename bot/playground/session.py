"""One playground: the real bot (built by bot/app.py, served by bot/web.py on an internal port, with its
worker and SQLite database of its own) wired to a Slack stand-in, on a clock the page moves forward.

Moving the clock steps through the jobs falling due on the way, one due time after the other, so every
threshold, ladder step and digest fires at its own simulated time and none is marked late. Reset stops
the bot, deletes its database and the stand-in's messages, and starts both again.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.app import Secondline, build
from bot.mail.inbound import Duplicate
from bot.mail.parse import MalformedMail
from bot.playground.clock import PlaygroundClock
from bot.playground.gestures import GestureError, Gestures
from bot.playground.mailbox import ENVIRONMENT, Mailbox, with_mail
from bot.playground.modals import Modals
from bot.playground.people import Persona, personas, seed
from bot.playground.state import persona_state
from bot.playground.times import step
from bot.playground.tracking import Tracker
from bot.policy import Policy
from bot.settings import Settings
from bot.standin import SlackStandIn
from bot.standin.payloads import SlackClient
from bot.web import web_app
from models import Job, JobStatus

log = logging.getLogger(__name__)

BOT_TOKEN = "xoxb-playground-not-a-real-token"
SIGNING_SECRET = "playground-signing-secret"
DATABASE_FILE = "secondline.sqlite3"
MAX_STEPS = 5000  # due times stepped through in one move of the clock; past that the rest fire at once
QUIET_WAIT = 10.0  # seconds to wait for jobs being run to finish before moving the clock past their lease
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=30)
EARLIEST = datetime.min.replace(tzinfo=UTC)


class PlaygroundSession:
    def __init__(
        self,
        policy: Policy,
        policy_path: Path,
        data_dir: Path,
        *,
        clock: PlaygroundClock | None = None,
        start: datetime | None = None,
    ) -> None:
        self.policy = with_mail(policy)  # customers can write by e-mail (bot/playground/mailbox.py)
        self.policy_path = policy_path
        self.data_dir = data_dir
        self.start_at = start
        self.clock = clock or PlaygroundClock(start)
        self.people: list[Persona] = personas(policy)
        self.lock = asyncio.Lock()  # one gesture, clock move or reset at a time
        self.standin = SlackStandIn(
            token=BOT_TOKEN, clock=self.clock.monotonic, wall=lambda: self.clock.now().timestamp()
        )
        self.modals = Modals(self.standin)
        self.tracker = Tracker(self.standin, self.clock, self.modals.called)
        self.mailbox = Mailbox(self.clock)
        self._bot: Secondline | None = None
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self._gestures: Gestures | None = None

    @property
    def database_url(self) -> str:
        return f"sqlite://{self.data_dir / DATABASE_FILE}"

    @property
    def bot(self) -> Secondline:
        if self._bot is None:
            raise RuntimeError("the playground is not started")
        return self._bot

    @property
    def gestures(self) -> Gestures:
        if self._gestures is None:
            raise RuntimeError("the playground is not started")
        return self._gestures

    def persona(self, persona_id: str) -> Persona:
        for persona in self.people:
            if persona.id == persona_id:
                return persona
        raise GestureError(f"{persona_id!r} is nobody in the policy; pick one of the personas")

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Start the stand-in and the bot on an empty database (the stand-in's messages live in memory,
        so a database left by an earlier run would point at messages that no longer exist)."""
        await self.standin.start()
        seed(self.standin, self.policy, self.people)
        self._http = aiohttp.ClientSession(timeout=REQUEST_TIMEOUT)
        await self._start_bot()

    async def stop(self) -> None:
        await self._stop_bot()
        if self._http is not None:
            await self._http.close()
            self._http = None
        self.tracker.close()
        await self.standin.stop()

    async def reset(self) -> None:
        """Stop the bot, forget everything (database, messages, modals, the clock's lead), start again."""
        async with self.lock:
            await self._stop_bot()
            self.standin.reset()
            self.tracker.reset()
            self.modals.reset()
            self.mailbox.reset()
            self.clock.reset(self.start_at)
            await self._start_bot()

    async def _start_bot(self) -> None:
        self._delete_database()
        settings = Settings(
            bot_token=BOT_TOKEN,
            signing_secret=SIGNING_SECRET,
            support_config=self.policy_path,
            database_url=self.database_url,
            slack_api_url=self.standin.base_url,
            environment=ENVIRONMENT,
        )
        self._bot = build(settings, self.policy, self.clock)
        if self._bot.mail is not None:  # mail stays in the playground's mailboxes
            self._bot.mail.check_servers = False
            self._bot.mail.sender.transport = self.mailbox.deliver
        self._runner = web.AppRunner(web_app(self._bot), access_log=None)
        await self._runner.setup()  # the bot's own start-up: migrations, the Slack check, the worker
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = int(self._runner.addresses[0][1])
        assert self._http is not None
        slack = SlackClient(self._http, f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET)
        self._gestures = Gestures(slack, self.standin, self.modals, self.tracker)
        log.info("playground bot listening on 127.0.0.1:%d, database %s", port, self.database_url)

    async def _stop_bot(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()  # stops the worker, closes the database
            self._runner = None
        self._bot = None
        self._gestures = None

    def _delete_database(self) -> None:
        for path in self.data_dir.glob(f"{DATABASE_FILE}*"):  # with its -wal, -shm and migration lock
            path.unlink(missing_ok=True)

    # ------------------------------------------------------------------ the clock

    async def move_clock(self, what: str) -> datetime:
        """Move simulated time by `what` (`15m`, `1h`, `morning`), firing what falls due on the way."""
        async with self.lock:
            target = step(self.policy, self.clock.now(), what)
            await self._step_to(target)
            return self.clock.now()

    async def _step_to(self, target: datetime) -> None:
        worker = self.bot.worker
        for _ in range(MAX_STEPS):
            due = await worker.queue.next_due_at()
            if due is None or due > target:
                break
            await self._quiet()
            self.clock.set(due)
            await worker.run_due()
        await self._quiet()
        self.clock.set(target)
        await worker.run_due()
        # The worker planned its next look on the clock before it moved, and wake_for(due) wakes it only for
        # a due time sooner than that plan: have it plan again now, or a job queued in the next seconds (an
        # acknowledgement's redraw) would wait for the old plan (up to IDLE_POLL_SECONDS).
        worker.wake_for(EARLIEST)

    async def _quiet(self) -> None:
        """Wait (briefly) for jobs being run now to finish: moving the clock past their lease would let
        them be taken, and run, a second time."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + QUIET_WAIT
        while loop.time() < deadline:
            leased = await Job.filter(status=JobStatus.PENDING, lease_until__gt=self.clock.now()).exists()
            if not leased:
                return
            await asyncio.sleep(0.02)
        log.warning("jobs still running after %.0f s; moving the clock anyway", QUIET_WAIT)

    # ------------------------------------------------------------------ what the page reads

    def state(self, persona_id: str) -> dict[str, Any]:
        self.persona(persona_id)
        return persona_state(
            persona_id,
            policy=self.policy,
            people=self.people,
            standin=self.standin,
            tracker=self.tracker,
            modals=self.modals,
            clock=self.clock,
            mailbox=self.mailbox.as_json(self.policy),
        )

    async def write_mail(self, sender: str, subject: str, text: str, in_reply_to: str | None) -> None:
        """A customer writes to the support address (as a webhook would hand it over)."""
        if self.bot.mail is None:
            raise GestureError("this policy has no email: block")
        if "@" not in sender or (not subject.strip() and not text.strip()):
            raise GestureError("write as an address, and give the mail a subject or some text")
        async with self.lock:
            raw = self.mailbox.written(sender.strip().lower(), subject.strip(), text, in_reply_to)
            try:
                await self.bot.mail.intake.store(raw, "playground")
            except (MalformedMail, Duplicate) as exc:
                raise GestureError(f"the mail was not taken: {exc}") from exc
            self.bot.worker.wake_for(EARLIEST)

    def file(self, file_id: str) -> tuple[bytes, str, str] | None:
        """A file the bot shared: its bytes, name and type."""
        stored = self.standin.files.get(file_id)
        if stored is None or stored.content is None:
            return None
        return stored.content, stored.filename, str(stored.info()["mimetype"])

    async def settle(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has nothing left to do now: no job due or running (tests use it)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            await asyncio.sleep(0.05)
            now = self.clock.now()
            busy = await Job.filter(status=JobStatus.PENDING, due_at__lte=now).exists()
            if not busy and not await Job.filter(status=JobStatus.PENDING, lease_until__gt=now).exists():
                return
        raise TimeoutError(f"the bot is still busy after {timeout:.0f} s")
