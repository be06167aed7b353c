"""Customers in their own Slack: a customer's (Slack Connect) channel as the front door.

Who may act is decided on the actor's own user id and organisation (`user.team_id`, `event.user_team`),
never on the envelope's `team_id`, which is always the vendor's. Nothing here calls Slack: what Slack must
show is a job (bot/outbox/connect.py, bot/outbox/customer.py).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.blocks.customer_view import CustomerDue
from bot.blocks.texts import not_key_user_text
from bot.clock import Clock
from bot.jobs.kinds import CloseIntakeCard, CopyCustomerMessage, PostHowTo, PostIntakeCard
from bot.jobs.queue import JobQueue
from bot.policy import Policy
from bot.services.deliveries import Deliveries
from bot.services.engineering import confirm_deadline
from bot.services.errors import NotAllowed, NotFound
from bot.services.intake import Origin
from bot.services.roles import Roles
from bot.services.sla import FIRST_RESPONSE, RESOLUTION, SlaService
from bot.services.transitions import Transitions
from models import ChannelMove, ClockState, Ticket, TicketStatus

log = logging.getLogger(__name__)


MOVES_FRESH = 30.0  # seconds: how often an unknown channel may make us read the channel moves again


class ChannelHealth(Protocol):
    """What the start-up check knows (bot/startup.py's SlackHealth): the vendor's team, shared channels."""

    team_id: str | None
    shared: dict[str, bool]
    unshared: dict[str, str]


FORGED = "This click names a person of another organisation than the one it came from; nothing was changed."


@dataclass
class Connect:
    policy: Policy
    clock: Clock
    jobs: JobQueue
    roles: Roles
    sla: SlaService
    transitions: Transitions
    deliveries: Deliveries
    health: ChannelHealth
    moved: dict[str, str] = field(default_factory=dict)  # a channel's new id -> the id the policy names
    _moves_read_at: float | None = field(default=None, repr=False)  # monotonic, when `moved` was read

    # --- organisations ---

    def customer_of(self, channel: str | None) -> str | None:
        """The customer whose channel this is, as far as this process knows (see `knows`)."""
        if not channel:
            return None
        return self.policy.customer_of_channel(self.moved.get(channel, channel))

    async def knows(self, channel: str | None) -> str | None:
        """`customer_of`, after reading the channel moves again if this one is unknown and they were read
        more than MOVES_FRESH ago: a move another replica heard of is followed here too."""
        found = self.customer_of(channel)
        if (
            found is not None
            or not channel
            or channel.startswith("D")
            or channel == self.policy.support_channel
        ):
            return found
        now = self.clock.monotonic()
        if self._moves_read_at is None or now - self._moves_read_at > MOVES_FRESH:
            await self.read_moves()
        return self.customer_of(channel)

    async def read_moves(self) -> None:
        moves = {m.new_id: m.old_id for m in await ChannelMove.all()}
        for new in moves:  # a channel moved twice still leads to the id the policy names
            seen = {new}
            while moves.get(new) in moves and moves[new] not in seen:
                seen.add(moves[new])
                moves[new] = moves[moves[new]]
        self.moved = moves
        self._moves_read_at = self.clock.monotonic()

    def is_vendor_team(self, team: str) -> bool:
        vendor = self.health.team_id
        if vendor is not None:
            return team == vendor
        return team not in self.policy.customer_teams  # before auth.test answered: any non-customer team

    def learn_vendor(self, envelope_team: object) -> None:
        """An event's envelope names the vendor's workspace (always, even for a customer's message): known
        from it when auth.test has not answered yet (Slack was down at start)."""
        if self.health.team_id is None and isinstance(envelope_team, str) and envelope_team:
            self.health.team_id = envelope_team

    def may_act_from(self, user: str, team: str | None) -> bool:
        """Whether `user` can be acting from organisation `team`: their customers' organisations for a key
        user, the vendor's for anyone (workspace key users, staff). A forged click names another."""
        if not team or self.is_vendor_team(team):
            return True
        if self.roles.is_staff(user):
            return False  # the vendor's people act from the vendor's workspace
        theirs = self.policy.customers_of(user)
        # Someone the policy does not name may be of any organisation (they have no rights to forge).
        return not theirs or any(team in self.policy.customers[key].teams for key in theirs)

    def require_actor(self, user: str, team: str | None) -> None:
        if not self.may_act_from(user, team):
            log.warning("refused a request naming %s from organisation %s", user, team)
            raise NotAllowed(FORGED)

    def of_customer(self, customer: str, user: str, team: str | None) -> bool:
        """A person of the customer's side: a key user, or anyone of its organisations."""
        spec = self.policy.customers[customer]
        return (user in spec.key_users and self.may_act_from(user, team)) or bool(team and team in spec.teams)

    def is_staff(self, user: str, team: str | None) -> bool:
        return self.roles.is_staff(user) and (not team or self.is_vendor_team(team))

    # --- ways in ---

    async def offer(self, channel: str, ts: str, user: str, team: str | None, how: str) -> str | None:
        """A message in a customer's channel may become a ticket (`how`: mention, reaction, auto): a card in
        its thread for a key user (or staff, for a mention or the reaction). Returns what to tell the
        person privately (a non-key user: who their key users are), or None."""
        customer = self.customer_of(channel)
        if customer is None or how not in self.policy.customers[customer].intake:
            return None
        spec = self.policy.customers[customer]
        if not self.may_act_from(user, team):
            return FORGED
        offered = user in spec.key_users or (how != "auto" and self.is_staff(user, team))
        if not offered:
            if how == "auto" or not self.of_customer(customer, user, team):
                return None  # chatter, or someone of another organisation: not theirs to ask
            return not_key_user_text(self.policy, customer)
        raised = await Ticket.get_or_none(customer_channel=channel, customer_thread_ts=ts)
        if raised is not None:
            return f"{raised.ref} already follows this message: see its thread."
        if not await self.deliveries.first_time(f"card:{channel}:{ts}"):
            return None  # a mention that was also the reaction's message, say: one card
        await self.jobs.enqueue(PostIntakeCard(channel=channel, message_ts=ts, user=user))
        log.info("offered a ticket in %s for %s's message %s (%s)", channel, customer, ts, how)
        return None

    async def may_raise(self, channel: str | None, user: str, team: str | None) -> str:
        """The customer a card's Raise a ticket raises for; NotAllowed names the key users otherwise."""
        customer = await self.knows(channel)
        if customer is None:
            raise NotFound("This card is not in a customer's channel any more.")
        self.require_actor(user, team)
        if user not in self.policy.customers[customer].key_users:
            raise NotAllowed(not_key_user_text(self.policy, customer))
        return customer

    async def not_now(self, channel: str | None, card_ts: str, user: str, team: str | None) -> None:
        """Not now on a card: a key user of the channel's customer, or staff, closes it."""
        customer = await self.knows(channel)
        if customer is None or channel is None:
            raise NotFound("This card is not in a customer's channel any more.")
        self.require_actor(user, team)
        if user not in self.policy.customers[customer].key_users and not self.is_staff(user, team):
            raise NotAllowed(not_key_user_text(self.policy, customer))
        await self.jobs.enqueue(CloseIntakeCard(channel=channel, card_ts=card_ts, user=user))

    async def check_origin(self, origin: Origin, user: str, team: str | None) -> str:
        """A submitted raise form from a card: still a key user of that channel's customer, from their own
        organisation. Returns the customer."""
        return await self.may_raise(origin.channel, user, team)

    def answers_language(self, channel: str, user: str, team: str | None) -> str:
        """`@Secondline search` in a customer's channel: for a key user of that customer (from their own
        organisation) or staff, in the customer's plan language; anyone else is refused, as `/support
        search` refuses them (a person of the customer is told who their key users are)."""
        customer = self.customer_of(channel)
        if customer is None:
            raise NotFound("Ask in your organisation's support channel.")
        self.require_actor(user, team)
        if user not in self.policy.customers[customer].key_users and not self.is_staff(user, team):
            if self.of_customer(customer, user, team):
                raise NotAllowed(not_key_user_text(self.policy, customer))
            raise NotAllowed("Only the customer's key users and the support team can search answers here.")
        return self.policy.plan_of(customer).language

    # --- following tickets ---

    async def open_tickets(self, channel: str, user: str, team: str | None) -> list[Ticket]:
        customer = self._theirs(channel, user, team)
        return (
            await Ticket.filter(customer=customer, status__not=TicketStatus.RESOLVED).order_by("id").limit(20)
        )

    async def ticket_for(self, channel: str, user: str, team: str | None, ticket_id: int) -> Ticket:
        customer = self._theirs(channel, user, team)
        ticket = await Ticket.get_or_none(id=ticket_id, customer=customer)
        if ticket is None:  # another customer's ticket is not theirs to know about
            raise NotFound(f"Your organisation has no ticket SUP-{ticket_id}.")
        return ticket

    def _theirs(self, channel: str, user: str, team: str | None) -> str:
        customer = self.customer_of(channel)
        if customer is None:
            raise NotFound("Ask in your organisation's support channel.")
        self.require_actor(user, team)
        if not (self.of_customer(customer, user, team) or self.is_staff(user, team)):
            raise NotAllowed("Only the customer's own people can see its tickets here.")
        return customer

    async def due(self, ticket: Ticket) -> CustomerDue | None:
        """What is due next, in the customer's plan calendar's timezone (their profile may have none)."""
        clocks = await self.sla.clocks(ticket)
        timezone = self.sla.calendar(ticket).timezone
        for name, what in ((FIRST_RESPONSE, "First response"), (RESOLUTION, "Resolution")):
            found = clocks.get(name)
            if found is not None and found.state == ClockState.RUNNING and found.due_at is not None:
                return CustomerDue(what, found.due_at, timezone)
        return None

    async def confirm_by(self, ticket: Ticket) -> CustomerDue | None:
        """A shipped fix's deadline for Still fails, in the plan calendar's timezone; None otherwise."""
        if ticket.status != TicketStatus.FIX_SHIPPED:
            return None
        at = await confirm_deadline(self.sla, ticket)
        return CustomerDue("Still fails", at, self.sla.calendar(ticket).timezone) if at else None

    # --- the conversation ---

    async def wrote_in_thread(
        self,
        channel: str,
        thread_ts: str,
        ts: str,
        user: str,
        team: str | None,
        text: str,
        files: Sequence[str] = (),
    ) -> Ticket | None:
        """A message in a ticket's customer thread: the customer's people's is copied into the internal
        thread and counts as their reply; an engineer's is copied marked as sent to the customer. Once per
        message, however often Slack delivers it."""
        ticket = await Ticket.get_or_none(customer_channel=channel, customer_thread_ts=thread_ts)
        if ticket is None:
            return None
        staff = self.is_staff(user, team)
        if not staff and not self.of_customer(ticket.customer, user, team):
            log.info(
                "%s: a message from %s (%s) in its customer thread is not copied", ticket.ref, user, team
            )
            return ticket  # someone of another organisation in a shared channel: not this customer's
        if not await self.deliveries.first_time(f"msg:{channel}:{ts}"):
            return ticket
        async with self.jobs.transaction():
            await self.jobs.enqueue(
                CopyCustomerMessage(
                    ticket_id=ticket.id, user=user, team=team or "", text=text, files=list(files),
                    from_staff=staff,
                )
            )  # fmt: skip
        if not staff and ticket.status == TicketStatus.WAITING:
            return await self.transitions.customer_replied(ticket.id, user)
        return ticket

    # --- the channel's life ---

    async def joined(self, channel: str, user: str, team: str | None, bot_user: str | None) -> None:
        """The bot joined a customer channel: one how-to there. A person of the customer joined: the
        how-to for them only, once."""
        customer = self.customer_of(channel)
        if customer is None:
            return
        if user == bot_user:
            if await self.deliveries.first_time(f"howto:{channel}"):
                await self.jobs.enqueue(PostHowTo(channel=channel))
        elif self.of_customer(customer, user, team) and await self.deliveries.first_time(
            f"greet:{channel}:{user}"
        ):
            await self.jobs.enqueue(PostHowTo(channel=channel, user=user))

    async def help(self, channel: str, thread_ts: str | None) -> None:
        if self.customer_of(channel) is not None:
            await self.jobs.enqueue(PostHowTo(channel=channel, thread_ts=thread_ts))

    async def channel_moved(self, old: str, new: str) -> int:
        """A channel's id changed (a private channel shared): its tickets keep their threads, and every
        replica follows the new id (read from the database) until the policy file names it."""
        await self.knows(old)
        async with self.jobs.transaction():
            moved = await Ticket.filter(customer_channel=old).update(customer_channel=new)
            if self.customer_of(old) is not None:
                await ChannelMove.update_or_create(
                    defaults={"new_id": new, "at": self.clock.now()}, old_id=old
                )
        if self.customer_of(old) is not None:
            self.moved[new] = self.moved.get(old, old)
            log.warning(
                "customer channel %s is now %s (%d ticket(s) follow it); update customers.%s.channels in "
                "the policy file",
                old,
                new,
                moved,
                self.customer_of(new),
            )
        return moved

    def unshared(self, channel: str, team: str, still_shared: bool) -> None:
        customer = self.customer_of(channel)
        if customer is None:
            return
        line = (
            f"customers.{customer}.channels {channel}: the share with organisation {team} ended; "
            "its people no longer see the channel"
        )
        log.warning("%s", line)
        if not still_shared:
            self.health.unshared[channel] = line
        self.health.shared[channel] = still_shared

    def shared(self, channel: str, team: str) -> None:
        if self.customer_of(channel) is not None:
            log.info("customer channel %s is shared with organisation %s", channel, team)
            self.health.unshared.pop(channel, None)
            self.health.shared[channel] = True
