"""Discord's per-route rate limits, as the emulator enforces them.

Each route has a bucket per major parameter (the channel, for channel routes): posting messages is
5 per 5 s per channel, editing them has its own 5 per 5 s, deleting its own; other routes get a
generous default. Every answer carries the headers Discord sends (`X-RateLimit-Limit`,
`-Remaining`, `-Reset`, `-Reset-After`, `-Bucket`), so discord.py paces itself as it does against
Discord, and a request over the limit gets 429 with `Retry-After` and `X-RateLimit-Scope: user`.
Interaction callbacks and webhook (follow-up) routes are left out, as the global limit leaves them
out.

Time is `clock()`: real time plus whatever back-off the test skipped (see `Emulator.patched`), so
a bucket that discord.py "waited" for has refilled when it asks again.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Limit:
    requests: int
    per_seconds: float


@dataclass(frozen=True, slots=True)
class _Rule:
    method: str
    pattern: re.Pattern[str]
    name: str
    limit: Limit


MESSAGE_CREATE = Limit(5, 5.0)
MESSAGE_EDIT = Limit(5, 5.0)
MESSAGE_DELETE = Limit(5, 5.0)
MESSAGE_HISTORY = Limit(5, 1.0)
DEFAULT = Limit(50, 1.0)

_CHANNEL = r"/channels/(?P<major>\d+)"
RULES: tuple[_Rule, ...] = (
    _Rule("POST", re.compile(_CHANNEL + r"/messages$"), "message create", MESSAGE_CREATE),
    _Rule("PATCH", re.compile(_CHANNEL + r"/messages/\d+$"), "message edit", MESSAGE_EDIT),
    _Rule("DELETE", re.compile(_CHANNEL + r"/messages/\d+$"), "message delete", MESSAGE_DELETE),
    _Rule("GET", re.compile(_CHANNEL + r"/messages$"), "message history", MESSAGE_HISTORY),
)
EXEMPT = re.compile(r"^/(interactions|webhooks)/")


@dataclass
class _Bucket:
    limit: Limit
    opened: float
    used: int = 0


@dataclass
class Verdict:
    """What the limiter says about one request: its headers, and whether it is refused."""

    headers: dict[str, str]
    refused: bool
    retry_after: float = 0.0


@dataclass
class RouteLimits:
    clock: Callable[[], float] = time.monotonic
    enabled: bool = True
    refused: list[tuple[str, str]] = field(default_factory=list)
    """(bucket name, path) of every request answered 429."""
    _buckets: dict[tuple[str, str], _Bucket] = field(default_factory=dict)

    def check(self, method: str, path: str) -> Verdict | None:
        """Count the request against its bucket; None for routes without one (or when off)."""
        if not self.enabled or EXEMPT.match(path):
            return None
        name, major, limit = self._classify(method, path)
        now = self.clock()
        bucket = self._buckets.get((name, major))
        if bucket is None or now - bucket.opened >= limit.per_seconds:
            bucket = self._buckets[(name, major)] = _Bucket(limit, now)
        # Rounded up to the millisecond, as written in the headers: one who waits that long finds
        # the bucket refilled.
        reset_after = max(0.001, math.ceil((bucket.opened + limit.per_seconds - now) * 1000) / 1000)
        headers = {
            "X-RateLimit-Limit": str(limit.requests),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": hashlib.sha1(name.encode()).hexdigest()[:16],
        }
        if bucket.used >= limit.requests:
            self.refused.append((name, path))
            headers |= {
                "X-RateLimit-Remaining": "0",
                "Retry-After": f"{reset_after:.3f}",
                "X-RateLimit-Scope": "user",
            }
            return Verdict(headers, True, reset_after)
        bucket.used += 1
        headers["X-RateLimit-Remaining"] = str(limit.requests - bucket.used)
        return Verdict(headers, False)

    @staticmethod
    def _classify(method: str, path: str) -> tuple[str, str, Limit]:
        for rule in RULES:
            match = rule.pattern.match(path)
            if rule.method == method and match:
                return rule.name, match.group("major"), rule.limit
        major = re.search(r"/(?:channels|guilds)/(\d+)", path)
        route = re.sub(r"\d+", "{id}", path)
        return f"{method} {route}", major.group(1) if major else "", DEFAULT
