"""The whole policy: support channel, calendars, plans, escalation, people, customers and permissions."""

from __future__ import annotations

from functools import cached_property

from pydantic import Field, field_validator, model_validator

from bot.permissions import DEFAULT_PERMISSIONS, Do, Role
from bot.policy.addons import Addon
from bot.policy.base import EMOJI_NAME, SLACK_CHANNEL_ID, Priority, SlackId, Strict
from bot.policy.calendars import CalendarSpec
from bot.policy.contracts import INCLUDED, Contract, check_digits, prices_of
from bot.policy.csat import CsatSettings
from bot.policy.digests import DigestSpec
from bot.policy.email import EmailSettings
from bot.policy.engineering import EngineeringSettings
from bot.policy.escalation import Escalation, LadderStep, Rotation, check_ladder
from bot.policy.plans import Customer, Plan
from bot.policy.scope import Scope
from bot.policy.storm import StormSpec


class Policy(Strict):
    support_channel: str
    permissions: dict[Do, list[Role]] = Field(default_factory=dict)
    calendars: dict[str, CalendarSpec] = Field(min_length=1)
    plans: dict[str, Plan] = Field(min_length=1)
    escalation: Escalation
    engineers: list[SlackId] = Field(min_length=1)
    customers: dict[str, Customer] = Field(min_length=1)
    digests: list[DigestSpec] = Field(default_factory=list)
    contracts: dict[str, Contract] = Field(default_factory=dict)
    scope: Scope | None = None
    email: EmailSettings | None = None
    addons: dict[str, Addon] = Field(default_factory=dict)
    intake_reaction: str = "ticket"  # the emoji (its name, no colons) that turns a message into a ticket
    storm: StormSpec = Field(default_factory=StormSpec)  # bot/services/storms.py
    csat: CsatSettings = Field(default_factory=CsatSettings)  # the satisfaction question
    engineering: EngineeringSettings = Field(default_factory=EngineeringSettings)

    @field_validator("support_channel")
    @classmethod
    def _channel_id(cls, value: str) -> str:
        if not SLACK_CHANNEL_ID.match(value):
            raise ValueError(f"{value!r} is not a channel id (C…); copy it from the channel's details")
        return value

    @field_validator("intake_reaction")
    @classmethod
    def _emoji_name(cls, value: str) -> str:
        name = value.strip().strip(":")
        if not EMOJI_NAME.match(name):
            raise ValueError(f"{value!r} is not an emoji name (like ticket, without colons)")
        return name

    @model_validator(mode="after")
    def _customer_channels(self) -> Policy:
        """A channel belongs to one customer: a message there must name whose ticket it would be."""
        owner: dict[str, str] = {}
        for key, customer in self.customers.items():
            for channel in customer.channels:
                if channel == self.support_channel:
                    raise ValueError(
                        f"customers.{key}.channels: {channel} is the support channel, which is internal; "
                        "name the customer's own channel"
                    )
                if channel in owner:
                    raise ValueError(
                        f"customers.{key}.channels: {channel} is already a channel of customers."
                        f"{owner[channel]}; a channel belongs to one customer"
                    )
                owner[channel] = key
        return self

    @model_validator(mode="after")
    def _references(self) -> Policy:
        for name, plan in self.plans.items():
            if plan.calendar not in self.calendars:
                raise ValueError(f"plans.{name}.calendar: unknown calendar {plan.calendar!r}")
            if plan.ladder is not None:
                check_ladder(plan.ladder, self.escalation.levels, f"plans.{name}.ladder")
        for name, plan in self.plans.items():
            self._ladder_targets_exist(name, plan)
        for key, customer in self.customers.items():
            if customer.plan not in self.plans:
                raise ValueError(f"customers.{key}.plan: unknown plan {customer.plan!r}")
            allowed = self.plans[customer.plan].max_key_users
            if allowed is not None and len(customer.key_users) > allowed:
                raise ValueError(
                    f"customers.{key}.key_users: {customer.name} lists {len(customer.key_users)} key users, "
                    f"but the {customer.plan} plan includes {allowed}"
                )
            if customer.contract is not None and customer.contract not in self.contracts:
                raise ValueError(f"customers.{key}.contract: unknown contract {customer.contract!r}")
            for level in customer.escalation:
                if level not in self.escalation.levels:
                    known = ", ".join(self.escalation.levels)
                    raise ValueError(f"customers.{key}.escalation.{level}: unknown level (levels: {known})")
        self._email_addresses()
        self._addons_fit()
        return self

    def _email_addresses(self) -> None:
        """E-mail key users need the `email:` block, and an address raises tickets for one customer only."""
        owners: dict[str, str] = {}
        for key, customer in self.customers.items():
            if customer.email is None:
                continue
            if self.email is None:
                raise ValueError(
                    f"customers.{key}.email: e-mail key users need the top-level email: block "
                    "(the support address and its servers)"
                )
            for address in customer.email.key_users:
                if address in owners and owners[address] != key:
                    raise ValueError(
                        f"customers.{key}.email.key_users: {address} is already a key user of "
                        f"{owners[address]}; an address raises tickets for one customer"
                    )
                if address == self.email.address:
                    raise ValueError(f"customers.{key}.email.key_users: {address} is our own address")
                owners[address] = key

    def customer_of_address(self, address: str) -> str | None:
        """The customer whose e-mail key user this address is."""
        address = address.lower()
        for key, customer in self.customers.items():
            if customer.email is not None and address in customer.email.key_users:
                return key
        return None

    def _addons_fit(self) -> None:
        """Add-ons cover categories the scope lists; customers buy known ones, one per category, priced
        in their contract's currency."""
        for name, addon in self.addons.items():
            for index, category in enumerate(addon.covers):
                if self.scope is None or self.scope.category(category) is None:
                    listed = (
                        "the policy sets no scope" if self.scope is None else "the scope does not list it"
                    )
                    raise ValueError(
                        f"addons.{name}.covers[{index}]: {category!r} is not a category: {listed}"
                    )
        for key, customer in self.customers.items():
            seen: dict[str, str] = {}
            for index, name in enumerate(customer.addons):
                bought = self.addons.get(name)
                if bought is None:
                    known = ", ".join(self.addons) or "none are listed under addons"
                    raise ValueError(f"customers.{key}.addons[{index}]: unknown add-on {name!r} ({known})")
                for category in bought.covers:
                    if category in seen and seen[category] != name:
                        raise ValueError(
                            f"customers.{key}.addons[{index}]: {name!r} and {seen[category]!r} both cover "
                            f"{category!r}; a customer buys one add-on per category"
                        )
                    seen[category] = name
                if bought.rate is not None:
                    currency = self.contract_for(key).currency
                    for _, amount in prices_of(bought.rate):
                        try:
                            check_digits(amount, currency)
                        except ValueError as exc:
                            raise ValueError(
                                f"addons.{name}.rate: {exc}, the currency of {key}'s contract"
                            ) from exc

    def addon_for(self, customer: str, category: str | None) -> tuple[str, Addon] | None:
        """The add-on the customer bought that covers `category`, when normal support does not cover it."""
        if category is None or self.scope is None or self.scope.is_covered(category):
            return None
        for name in self.customers[customer].addons:
            bought = self.addons.get(name)
            if bought is not None and category in bought.covers:
                return name, bought
        return None

    def contract_for(self, customer: str) -> Contract:
        """The customer's contract; a customer that names none has time included, never charged."""
        name = self.customers[customer].contract
        return INCLUDED if name is None else self.contracts[name]

    def _ladder_targets_exist(self, name: str, plan: Plan) -> None:
        """A step `after: resolution` on a plan without that target would silently never fire."""
        where = f"plans.{name}.ladder" if plan.ladder is not None else "escalation.ladder"
        ladder = plan.ladder or self.escalation.ladder
        for key, steps in ladder.items():
            if key != "default":
                priorities = [Priority(key)] if plan.offers(key) else []
            else:
                priorities = [p for p in plan.priorities if p.value not in ladder]
            for index, step in enumerate(steps):
                targets = {
                    "first_response": plan.first_response,
                    "resolution": plan.resolution,
                    "next_response": plan.next_response,
                    "update_every": plan.update_every,
                }.get(step.after)
                missing = [p.value for p in priorities if targets is not None and p not in targets]
                if missing:
                    raise ValueError(
                        f"{where}.{key}[{index}].after: plan {name!r} has no {step.after} target for "
                        f"{', '.join(missing)}, so this step would never fire; set one, or page after a time"
                    )

    def plan_of(self, customer: str) -> Plan:
        return self.plans[self.customers[customer].plan]

    def plan_label(self, plan: str) -> str:
        spec = self.plans.get(plan)
        return spec.label_for(plan) if spec is not None else plan.capitalize()

    def customers_of(self, user_id: str) -> list[str]:
        """Customer keys for which this user is a key user, in policy order."""
        return [key for key, customer in self.customers.items() if user_id in customer.key_users]

    def customer_of_channel(self, channel: str) -> str | None:
        """The customer whose own (e.g. Slack Connect) channel this is, if any."""
        return self.channel_owners.get(channel)

    @cached_property
    def channel_owners(self) -> dict[str, str]:
        return {channel: key for key, customer in self.customers.items() for channel in customer.channels}

    @cached_property
    def customer_teams(self) -> dict[str, list[str]]:
        """Each customer organisation's id (T… or E…) and the customers it is."""
        teams: dict[str, list[str]] = {}
        for key, customer in self.customers.items():
            for team in customer.teams:
                teams.setdefault(team, []).append(key)
        return teams

    def customer_by_domain(self, email: str) -> str | None:
        domain = email.rpartition("@")[2].lower()
        for key, customer in self.customers.items():
            if domain and domain in (d.lower() for d in customer.domains):
                return key
        return None

    def is_engineer(self, user_id: str) -> bool:
        return user_id in self.engineers

    @cached_property
    def permission_table(self) -> dict[Do, tuple[Role, ...]]:
        return {**DEFAULT_PERMISSIONS, **{action: tuple(roles) for action, roles in self.permissions.items()}}

    @cached_property
    def escalation_people(self) -> frozenset[str]:
        """Everyone on any escalation level (rotations and customers' own contacts included), as written."""
        people: set[str] = set()
        for level in self.escalation.levels.values():
            people.update(level.rotation if isinstance(level, Rotation) else level)
        for customer in self.customers.values():
            for contacts in customer.escalation.values():
                people.update(contacts)
        return frozenset(people)

    def ladder_for(self, plan: str, priority: Priority) -> list[LadderStep]:
        ladder = self.plans[plan].ladder or self.escalation.ladder
        return list(ladder.get(priority.value, ladder.get("default", self.escalation.ladder["default"])))
