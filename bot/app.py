"""The composition root: builds the services, the Bolt app, the job handler table and the worker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

import handlers
from bot.clock import Clock, SystemClock
from bot.engineering.trackers import Trackers
from bot.engineering.urls import Recogniser
from bot.jobs import kinds
from bot.jobs.queue import JobQueue
from bot.jobs.worker import HandlerTable, Worker
from bot.mail.actions import MailActions
from bot.mail.config import mail_config
from bot.mail.links import ActionSigner, MailLinks
from bot.mail.wiring import MailSide, build_mail, mail_handlers
from bot.notifier import Notifier
from bot.outbox.alerts import OperatorAlerts
from bot.outbox.boards import BoardPainter, StormMessages
from bot.outbox.connect import ConnectOutbox
from bot.outbox.csat import CsatLinks, CsatOutbox
from bot.outbox.customer import CustomerNews, DmPlace, Place, ThreadPlace
from bot.outbox.digests import Digests
from bot.outbox.home import HomeScreen
from bot.outbox.pages import PageOutbox
from bot.outbox.queue import ChannelQueue
from bot.outbox.reporter import ReporterNews
from bot.outbox.tickets import TicketOutbox
from bot.policy import Policy
from bot.satisfaction import LinkSigner
from bot.services.connect import Connect
from bot.services.csat import Satisfaction
from bot.services.deliveries import Deliveries
from bot.services.deposits import Deposits
from bot.services.directory import Directory
from bot.services.engineering import Engineering
from bot.services.housekeeping import Housekeeping
from bot.services.incidents import Incidents
from bot.services.intake import Intake
from bot.services.ladder import Ladder
from bot.services.pages import PageActions
from bot.services.queries import TicketQueries
from bot.services.reclassify import Reclassify
from bot.services.replies import CustomerReplies
from bot.services.reporting import Reporting
from bot.services.roles import Roles
from bot.services.sla import SlaService
from bot.services.statements import Statements
from bot.services.storms import Storms
from bot.services.timesheet import Timesheet
from bot.services.transitions import Transitions
from bot.settings import Settings
from bot.slack.api import SlackApi
from bot.slack.budgets import Budgets
from bot.slack.once import PostOnce
from bot.slack.people import PeopleCache
from bot.startup import StartupCheck
from handlers.deps import Deps


@dataclass
class Secondline:
    """Everything one bot process runs; tests reach into it (fake clock, worker)."""

    settings: Settings
    policy: Policy
    clock: Clock
    bolt: AsyncApp
    client: AsyncWebClient
    deps: Deps
    housekeeping: Housekeeping
    digests: Digests
    worker: Worker
    redis: Redis | None
    startup: StartupCheck
    run_worker: bool = True
    socket_mode: Any = None  # the Socket Mode handler while connected that way (bot/serve.py)
    mail: MailSide | None = None  # with the policy's email: block (bot/mail/)


def redis_client(url: str) -> Redis:
    """Short timeouts (Redis only paces and caches; the bot carries on without it), and one retry on a
    fresh connection: after Redis restarts, each pooled connection fails once ("closed by server"), which
    must not count as an outage."""
    return Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2, retry=Retry(NoBackoff(), 1))


def build(
    settings: Settings, policy: Policy, clock: Clock | None = None, *, run_worker: bool = True
) -> Secondline:
    clock = clock or SystemClock()
    client = AsyncWebClient(token=settings.bot_token, base_url=settings.slack_api_url, timeout=10)
    redis = redis_client(settings.redis_url) if settings.redis_url else None
    api = SlackApi(client, clock, Budgets(redis, clock))
    notifier = Notifier(api, PeopleCache(redis, clock))

    jobs = JobQueue(clock)
    directory = Directory(policy, notifier.lookup_email)
    roles = Roles(policy, directory.is_escalation)
    sla = SlaService(policy, clock, jobs, directory)
    queries = TicketQueries(clock, roles, sla)
    ladder = Ladder(policy, clock, jobs, sla, directory)
    satisfaction = Satisfaction(policy, clock, jobs, directory)
    transitions = Transitions(clock, jobs, roles, queries, sla, ladder, satisfaction)
    deliveries = Deliveries(clock)
    housekeeping = Housekeeping(clock, jobs, deliveries)
    home = HomeScreen(policy, roles, queries, notifier, jobs)
    deposits = Deposits(policy, clock, jobs)
    timesheet = Timesheet(policy, clock, jobs, roles, queries, directory, deliveries, deposits)
    statements = Statements(policy, clock, roles, timesheet)
    reporting = Reporting(policy, clock, statements)
    digests = Digests(policy, clock, jobs, reporting, notifier, deliveries)
    intake = Intake(policy, clock, jobs, sla, ladder, roles, deposits)
    mail = build_mail(
        mail_config(policy, settings.environment), policy, clock, jobs, intake, transitions, sla, api
    )
    startup = StartupCheck(api, policy, clock)
    connect = Connect(policy, clock, jobs, roles, sla, transitions, deliveries, startup.health)
    incidents = Incidents(clock, jobs, roles, transitions)
    engineering = Engineering(
        policy,
        clock,
        jobs,
        roles,
        queries,
        sla,
        transitions,
        Recogniser.from_urls(settings.github_api_url, settings.jira_url),
        Trackers(
            settings.github_api_url,
            settings.github_token,
            settings.jira_url,
            settings.jira_email,
            settings.jira_token,
            lambda: client.session,
        ),
    )
    home.waiting = engineering.waiting
    public_url = settings.environment.get("PUBLIC_URL", "").strip()  # where the mailed links point
    if mail is not None:
        mail.intake.engineering = engineering  # a reply to a shipped fix may say it still fails
        mail.actions = MailActions(transitions, engineering)
        if public_url:
            mail.links = mail.place.links = MailLinks(public_url, ActionSigner(settings.signing_secret))
    deps = Deps(
        policy=policy,
        clock=clock,
        roles=roles,
        queries=queries,
        intake=intake,
        transitions=transitions,
        replies=CustomerReplies(roles, transitions),
        reclassify=Reclassify(policy, transitions),
        pages=PageActions(clock, jobs, roles, queries, transitions, ladder),
        sla=sla,
        directory=directory,
        notifier=notifier,
        timesheet=timesheet,
        statements=statements,
        reporting=reporting,
        home=home,
        deliveries=deliveries,
        connect=connect,
        incidents=incidents,
        satisfaction=satisfaction,
        engineering=engineering,
    )

    alerts = OperatorAlerts(clock, jobs, notifier, directory, deliveries)
    once = PostOnce(api)
    news = ReporterNews(notifier, sla, jobs, once)
    thread = ThreadPlace(api, once, notifier, connect, policy, clock)
    # Where each ticket's reporter follows it (bot/outbox/customer.py): one row per place.
    PLACES: dict[str, Place] = {"dm": DmPlace(news, thread), "thread": thread}
    if mail is not None:
        PLACES["email"] = mail.place
    customer_news = CustomerNews(PLACES)
    connect_out = ConnectOutbox(api, once, notifier, policy, connect)
    painter = BoardPainter(api, once, clock)
    channel_queue = ChannelQueue(painter, policy, clock, jobs)
    storm_messages = StormMessages(painter, policy, jobs)
    storms = Storms(policy, clock, jobs)
    tickets_out = TicketOutbox(api, policy, clock, sla, jobs, alerts, once, channel_queue, storm_messages)
    pages_out = PageOutbox(api, notifier, policy, clock, once, jobs)
    links = CsatLinks(public_url, LinkSigner(settings.signing_secret)) if public_url else None
    satisfaction.asks_by_mail = mail is not None and links is not None
    csat_out = CsatOutbox(once, mail.mailer if mail else None, links)
    table = (
        HandlerTable()
        .on(kinds.ScheduleTicket, intake.schedule)
        .on(kinds.PostTicket, tickets_out.post, failed=tickets_out.post_failed)
        .on(kinds.ShowQueue, channel_queue.show)
        .on(kinds.CheckStorm, storms.check)
        .on(kinds.ShowStorm, storm_messages.show)
        .on(kinds.FollowIncident, incidents.follow)
        .on(kinds.RedrawTicket, tickets_out.redraw)
        .on(kinds.ThreadNote, tickets_out.note)
        .on(kinds.NotifyReporter, customer_news.notify)
        .on(kinds.TellPerson, news.tell)
        .on(kinds.AlertOperators, alerts.send)
        .on(kinds.RefreshHome, home.refresh)
        .on(kinds.SlaThreshold, sla.handle_threshold)
        .on(kinds.LadderStepDue, ladder.fire_step)
        .on(kinds.DeliverPage, pages_out.deliver)
        .on(kinds.RedrawPage, pages_out.redraw)
        .on(kinds.DigestDue, digests.run)
        .on(kinds.Housekeeping, housekeeping.run)
        .on(kinds.PostIntakeCard, connect_out.post_card)
        .on(kinds.CloseIntakeCard, connect_out.close_card)
        .on(kinds.PostHowTo, connect_out.how_to)
        .on(kinds.CopyCustomerMessage, connect_out.copy)
        .on(kinds.AskCsat, csat_out.ask)
        .on(kinds.CsatLowScore, satisfaction.tell_lead)
        .on(kinds.ConfirmFix, engineering.confirm_due)
        .on(kinds.CreateIssue, engineering.create_due, failed=engineering.create_failed)
    )
    mail_handlers(table, mail).check()

    bolt = AsyncApp(
        client=client,
        signing_secret=settings.signing_secret,
        # Unknown requests are answered by our fallback listeners, not Bolt's bare 404.
        raise_error_for_unhandled_request=False,
    )
    handlers.register(bolt, deps)
    worker = Worker(jobs, clock, table)
    return Secondline(
        settings,
        policy,
        clock,
        bolt,
        client,
        deps,
        housekeeping,
        digests,
        worker,
        redis,
        startup,
        run_worker,
        mail=mail,
    )
