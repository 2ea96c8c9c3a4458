"""Automation: the outbox worker and what it delivers (webhooks, emails)."""
