from tests.postgres import postgres_url  # noqa: F401  (the shared fixture)
