"""The password hash: Argon2id with parameters measured on the platform's machine (issue 20).

Django's own Argon2 defaults (2 passes over 100 MiB in 8 lanes) cost about as much CPU per sign-in
as PBKDF2's 1,000,000 rounds (about 190 ms on this 2-core machine: `python -m bench.signin`).
These are OWASP's first recommended Argon2id setting (19 MiB, 2 passes, 1 lane): memory-hard, so
far dearer to attack with graphics cards than PBKDF2, for a tenth of its CPU per sign-in. Hashes
made with other parameters, or with PBKDF2, still verify and are re-made with these at the next
sign-in (Django's `must_update`)."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
