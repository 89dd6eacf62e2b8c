"""Structured (JSON) driver logs with the run's context and sealed exceptions."""
