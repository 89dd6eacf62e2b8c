"""Service-level objectives from the run history, and the Prometheus rules for them."""
