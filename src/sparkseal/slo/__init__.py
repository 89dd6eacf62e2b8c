"""Service-level objectives from the run history, and the Prometheus rules for them.

- :mod:`sparkseal.slo.history`: one row per application run in the one store;
- :mod:`sparkseal.slo.budget`: error budgets and burn rates from that history;
- :mod:`sparkseal.slo.rules`: recording and multi-window burn-rate alerting rules.

Nothing is imported here: ``sparkseal.core.policy`` imports :mod:`sparkseal.slo.policy`,
and loading a policy must not pull in SQLAlchemy.
"""
