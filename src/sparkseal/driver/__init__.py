"""Driver hooks: seal exception text in the driver's Python process."""
