"""Paid support, the pure part: work time, money, banks of hours and monthly statements.

No database, Slack or clock: every function takes its inputs (contracts from the policy, time entries
as frozen dataclasses, dates) and returns frozen dataclasses. Import from the modules: `worktime`,
`money`, `bank`, `statement`, `export`. This package imports nothing itself, because the policy's
contract models use `money` and `statement` uses the policy.
"""
