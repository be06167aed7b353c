"""The policy file (calendars, plans, escalation, people, customers), validated with pydantic.

Errors name the key path and the line in the YAML file, so support operations can fix a bad edit quickly.
"""

from bot.policy.base import EMAIL, RECURRING_TARGETS, TARGET_NAMES, ConfigError, Priority
from bot.policy.calendars import CalendarSpec, HolidaySpec
from bot.policy.escalation import LadderStep, Rotation
from bot.policy.loader import load_config, parse_config
from bot.policy.model import Policy
from bot.policy.plans import Customer, Plan

__all__ = [
    "EMAIL",
    "RECURRING_TARGETS",
    "TARGET_NAMES",
    "CalendarSpec",
    "ConfigError",
    "Customer",
    "HolidaySpec",
    "LadderStep",
    "Plan",
    "Policy",
    "Priority",
    "Rotation",
    "load_config",
    "parse_config",
]
