"""Spark's own failure tolerance, switched on with reasoned settings (``[resilience]``).

:mod:`.policy` is the policy section, :mod:`.preset` the Spark conf it turns into
(see docs/resilience.md).
"""
