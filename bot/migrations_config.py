"""Configuration for `tortoise -c bot.migrations_config.TORTOISE_ORM makemigrations` (developers only)."""

from bot.db import tortoise_config

TORTOISE_ORM = tortoise_config("sqlite://data/makemigrations.sqlite3")
