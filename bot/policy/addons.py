"""Premium add-on services: listed once by the vendor (`addons:`), bought by customers (`addons: [...]`).

An add-on covers categories of the scope that normal support does not: for a customer who bought it,
those are raised as covered work, or, where the add-on has an hourly `rate`, as paid work at that rate
without the paid-request confirmation (never drawn from a bank of hours).
"""

from __future__ import annotations

from pydantic import Field

from bot.policy.base import Strict
from bot.policy.contracts import PriceField


class Addon(Strict):
    label: str = Field(min_length=1, max_length=80)
    covers: list[str] = Field(min_length=1)  # scope category keys
    rate: PriceField | None = None  # per hour, in the buying customer's contract currency
