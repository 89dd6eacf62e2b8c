"""``sparkseal verify``: an end-to-end self-check a user runs on their own cluster or laptop."""
