"""`make bench` (sign-in part): what one password check costs, per hasher (issue 20).

    .venv/bin/python -m bench.signin

No database: it times `check_password` (what a sign-in spends on the hash) with PBKDF2 at Django's
1,000,000 rounds, Django's Argon2 defaults and the platform's Argon2id (atc/hashers.py), median
wall-clock and CPU milliseconds (CPU of every thread: Argon2's lanes run in threads), and how many
sign-ins per second the machine's cores could absorb if they did nothing else.
"""

import os
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atc.settings")
django.setup()

from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher  # noqa: E402

from atc.hashers import Argon2idHasher  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_SIGNIN_ROUNDS", "10"))
PASSWORD = "une phrase de passe de démonstration"


def measure(hasher) -> tuple[float, float]:
    encoded = hasher.encode(PASSWORD, hasher.salt())
    walls, cpus = [], []
    for _n in range(ROUNDS):
        started, started_cpu = time.perf_counter(), time.process_time()
        assert hasher.verify(PASSWORD, encoded)
        cpus.append((time.process_time() - started_cpu) * 1000)
        walls.append((time.perf_counter() - started) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    cores = os.cpu_count() or 1
    with os.popen("uptime") as uptime:
        load = uptime.read().strip().split("load average:")[-1].strip()
    print(f"== Sign-in: one password check, median of {ROUNDS} (load average {load}, {cores} cores)")
    print("| hasher | parameters | wall (ms) | CPU (ms) | sign-ins/s on all cores |")
    print("|---|---|---|---|---|")
    rows = [
        (
            "PBKDF2-SHA256 (Django's default)",
            f"{PBKDF2PasswordHasher.iterations:,} rounds",
            PBKDF2PasswordHasher(),
        ),
        ("Argon2id (Django's defaults)", _argon2_parameters(Argon2PasswordHasher), Argon2PasswordHasher()),
        ("Argon2id (the platform's)", _argon2_parameters(Argon2idHasher), Argon2idHasher()),
    ]
    for name, parameters, hasher in rows:
        wall, cpu = measure(hasher)
        print(f"| {name} | {parameters} | {wall:.0f} | {cpu:.0f} | {cores * 1000 / cpu:.0f} |")


def _argon2_parameters(hasher) -> str:
    return f"{hasher.memory_cost // 1024} MiB, {hasher.time_cost} passes, {hasher.parallelism} lanes"


if __name__ == "__main__":
    main()
