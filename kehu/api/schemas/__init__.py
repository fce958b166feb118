"""Request and response shapes of the HTTP API (pydantic, via django-ninja)."""
