"""Automation: what the outbox delivers (webhooks, emails); the worker loop is ``guide.worker``."""
