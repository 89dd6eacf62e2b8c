"""Sealing of exception text, shared by the driver and the worker hooks."""
