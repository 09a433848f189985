"""Configuration: the YAML loader, schema validation with readable errors, and runtime config entries."""
