"""Author passwords are hashed with argon2id at argon2-cffi's default cost in production.

The suite hashes with the cheapest parameters (tests/conftest.py), so this is checked
where the fixture does not reach: a fresh interpreter importing Guide as a server does.
"""

from __future__ import annotations

import subprocess
import sys

from argon2 import profiles

PROBE = """
from guide.services import authors
print(authors.hash_password("correct horse battery"))
print(authors._DUMMY_HASH)
"""


def test_a_server_hashes_passwords_with_argon2id_at_the_rfc_9106_low_memory_cost():
    out = subprocess.run([sys.executable, "-c", PROBE], check=True, capture_output=True,
                         text=True, timeout=60).stdout.split()
    cost = profiles.RFC_9106_LOW_MEMORY
    want = f"$argon2id$v=19$m={cost.memory_cost},t={cost.time_cost},p={cost.parallelism}$"
    # The real hash and the one checked when the email is unknown (same time either way).
    assert [line[:len(want)] for line in out] == [want, want], out
