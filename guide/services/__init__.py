"""Workflows shared by the HTTP and socket paths. Services own transactions and emits."""
