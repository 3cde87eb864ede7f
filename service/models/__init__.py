"""The configured models: their loading, and GET /v1/models."""
