"""The ``sparkseal`` command line."""
