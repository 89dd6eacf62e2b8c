"""Find plaintext sensitive values in logs, event logs and local dirs."""
