"""What normal support covers, and what is premium add-on work: the categories the raise form asks about."""

from __future__ import annotations

from pydantic import Field, model_validator

from bot.policy.base import Strict

KEY_PATTERN = r"^[a-z0-9][a-z0-9-]{0,39}$"


class Covered(Strict):
    key: str = Field(pattern=KEY_PATTERN)
    label: str = Field(min_length=1, max_length=200)  # options show 75 characters; messages show it all


class NotCovered(Covered):
    why: str = Field(min_length=1, max_length=600)  # shown to the key user before they confirm paid work


class Scope(Strict):
    covered: list[Covered] = Field(min_length=1)
    not_covered: list[NotCovered] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_keys(self) -> Scope:
        keys = [c.key for c in self.covered] + [c.key for c in self.not_covered]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise ValueError(f"category keys must be unique; repeated: {', '.join(repeated)}")
        return self

    def category(self, key: str | None) -> Covered | None:
        return next((c for c in [*self.covered, *self.not_covered] if c.key == key), None)

    def is_covered(self, key: str) -> bool:
        return any(c.key == key for c in self.covered)
