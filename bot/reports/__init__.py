"""How support is doing: the SLA report and its chart, a policy dry-run, and the digest schedule.

Everything here is pure (facts in, figures out) except `load`, which reads the facts from the database.
"""
