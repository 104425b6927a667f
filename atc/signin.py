"""Who is asking, and how fast they may guess passwords.

`client_ip` is the one place that reads a request's client address: allauth's rate limits (through
`atc.adapters.AccountAdapter.get_client_ip`) and anything else that needs the address call it.
Behind proxies, REMOTE_ADDR is the nearest proxy's address, shared by every user; each proxy we run
appends the address it saw to X-Forwarded-For, so with TRUSTED_PROXY_COUNT proxies the client is
the TRUSTED_PROXY_COUNT-th entry from the right. Entries further left are written by the client and
never read. With no trusted proxy the header is ignored altogether.

The sign-in throttle slows guessing down instead of locking the account (README, "Sign-in limits"):
- per account and client address, the 5th failure within 15 minutes makes that address wait 30 s
  before its next attempt on that account, doubling with each further failure (at most 15 min);
- per account from every address, the 20th failure within 15 minutes spaces all attempts on it
  by 5 s, doubling with each further failure (at most 60 s).
An attempt refused for waiting is not checked and not counted, so one address hammering an account
adds 5 failures to the account's count, not 20: the owner, elsewhere, signs in with the right password.
Failures are forgotten 15 minutes after the last one; a successful sign-in forgets those of its
address on its account.
"""

import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    """The address of the person's machine, as the trusted proxies saw it."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",")]
        hops = [hop for hop in hops if hop]
        # Fewer hops than proxies: the request did not come through all of them (a direct
        # connection to the app server); its peer address is then the only fact we have.
        if len(hops) >= count:
            candidate = _valid_ip(hops[-count])
            if candidate:
                return candidate
    return _valid_ip(remote) or remote


def _valid_ip(value: str) -> str | None:
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


@dataclass(frozen=True)
class Throttle:
    """After `free` failures within WINDOW_SECONDS, each attempt waits `first_wait` seconds after
    the last failure, doubled for each failure beyond `free`, never more than `max_wait`."""

    name: str
    free: int
    first_wait: int
    max_wait: int

    def wait_after(self, failures: int) -> int:
        if failures < self.free:
            return 0
        return min(self.first_wait * 2 ** min(failures - self.free, 30), self.max_wait)


WINDOW_SECONDS = 15 * 60
PER_ADDRESS = Throttle("address", free=5, first_wait=30, max_wait=15 * 60)
PER_ACCOUNT = Throttle("account", free=20, first_wait=5, max_wait=60)


def _now() -> float:
    return time.time()


def _key(throttle: Throttle, login: str, ip: str) -> str:
    parts = [login.strip().lower()]
    if throttle is PER_ADDRESS:
        parts.append(ip)
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
    return f"atc:signin:{throttle.name}:{digest}"


def seconds_to_wait(login: str, ip: str) -> int:
    """How long this address must wait before trying this account again (0: it may try now)."""
    now = _now()
    waits = [0]
    for throttle in (PER_ADDRESS, PER_ACCOUNT):
        failures, last = cache.get(_key(throttle, login, ip), (0, 0.0))
        waits.append(math.ceil(last + throttle.wait_after(failures) - now))
    return max(waits)


def record_failure(login: str, ip: str) -> None:
    now = _now()
    for throttle in (PER_ADDRESS, PER_ACCOUNT):
        key = _key(throttle, login, ip)
        failures, _last = cache.get(key, (0, 0.0))
        cache.set(key, (failures + 1, now), WINDOW_SECONDS)


def record_success(login: str, ip: str) -> None:
    cache.delete(_key(PER_ADDRESS, login, ip))
