"""Storage figures, each beside a baseline measured in the same run.

    python benchmarks/storage.py [--attempts 1000000] [--record 2000] [--samples 200]

(a) Recording answers through the repository as the bot does (the attempt and the member's FSRS
    update in one transaction; each call returns once committed with synchronous=FULL), one caller
    at a time and 64 callers at once, with the writes in the writer process (as the bot runs) and
    in a thread of this process, beside raw batched inserts into the same table with the sqlite3
    module.
(b) Leaderboard latency, median and p99, for this week and all time, with 1,000,000 attempts over
    10,000 members in 100 guilds, beside the same SQL run directly with sqlite3; and the full
    leaderboard service (top 10 with their streaks).
(c) The database size.

Targets: recording >= 2,000 attempts/s; both leaderboard queries under 20 ms median.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fsrs import Rating  # noqa: E402

from bot.decks import DeckLibrary  # noqa: E402
from bot.domain import NewAttempt  # noqa: E402
from bot.storage import Storage  # noqa: E402
from bot.storage.study import ATTEMPT_COLUMNS, attempt_values  # noqa: E402
from bot.study.catalog import DeckCatalog  # noqa: E402
from bot.study.clock import ManualClock, to_ms  # noqa: E402
from bot.study.periods import local_day, period_bounds, zone  # noqa: E402
from bot.study.srs import Review  # noqa: E402
from bot.study.stats import StatsService  # noqa: E402

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
GUILDS = 100
MEMBERS = 10_000
DECKS = (
    "cnn-architectures",
    "cnn-fundamentals",
    "understanding-cnns",
    "training-and-regularization",
)
INSERT = f"INSERT INTO attempts ({ATTEMPT_COLUMNS}) VALUES ({', '.join('?' * 13)})"


def new_attempt(key: str, rng: random.Random, when: datetime) -> NewAttempt:
    guild = rng.randrange(GUILDS)
    user = guild * (MEMBERS // GUILDS) + rng.randrange(MEMBERS // GUILDS)
    outcome = rng.choice(("correct", "correct", "close", "wrong"))
    return NewAttempt(
        attempt_key=key,
        guild_id=guild,
        user_id=user,
        display_name=f"member {user}",
        deck_id=rng.choice(DECKS),
        card_id=f"card-{rng.randrange(50)}",
        context="quiz",
        context_id=None,
        response="a typical short answer",
        outcome=outcome,  # type: ignore[arg-type]
        score=1.0 if outcome == "correct" else 0.3,
        points=10 if outcome == "correct" else 0,
        answered_at_ms=to_ms(when),
        local_day=local_day(when, zone("UTC")),
    )


UPDATE = Review(Rating.Good, NOW)
"""The member's card state after a Good answer, as the bot computes it for every answer."""


async def repository_rates(
    path: Path, rng: random.Random, count: int, writer_process: bool
) -> tuple[float, float]:
    """Attempts per second recorded through the repository, one caller at a time and 64 at once."""
    storage = await Storage.open(path, writer_process=writer_process)
    try:
        attempts = [new_attempt(f"seq-{writer_process}-{i}", rng, NOW) for i in range(count)]
        start = time.perf_counter()
        for attempt in attempts:
            await storage.attempts.record(attempt, srs_update=UPDATE)
        sequential = count / (time.perf_counter() - start)

        queue = [new_attempt(f"con-{writer_process}-{i}", rng, NOW) for i in range(count * 4)]
        total = len(queue)

        async def caller() -> None:
            while queue:
                await storage.attempts.record(queue.pop(), srs_update=UPDATE)

        start = time.perf_counter()
        await asyncio.gather(*(caller() for _ in range(64)))
        concurrent = total / (time.perf_counter() - start)
    finally:
        await storage.close()
    return sequential, concurrent


async def record_rates(directory: Path, count: int) -> None:
    rng = random.Random(1)
    path = directory / "record.sqlite3"
    rates = {place: await repository_rates(path, rng, count, place) for place in (True, False)}
    raw_rows = [attempt_values(new_attempt(f"raw-{i}", rng, NOW)) for i in range(count * 4)]
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA synchronous = FULL")
    start = time.perf_counter()
    connection.execute("BEGIN")
    connection.executemany(INSERT, raw_rows)
    connection.execute("COMMIT")
    raw = len(raw_rows) / (time.perf_counter() - start)
    connection.close()
    print(
        "(a) recording answers as the bot does (attempt and FSRS update in one transaction),"
        " durable (synchronous=FULL) when each call returns"
    )
    for place, label in ((True, "writer process (the bot's)"), (False, "writer thread")):
        sequential, concurrent = rates[place]
        print(f"    {label + ', 1 caller at a time:':<50}{sequential:>9,.0f} attempts/s")
        print(f"    {label + ', 64 concurrent callers:':<50}{concurrent:>9,.0f} attempts/s")
    print(
        f"    {'baseline, raw batched insert:':<50}{raw:>9,.0f} attempts/s"
        " (one transaction, not per attempt)"
    )
    best = max(rates[True])
    print(
        f"    target >= 2,000/s: {'met' if best >= 2000 else 'MISSED'} ({best / raw:.1%} of the raw batch rate, writer process)"
    )


def populate(path: Path, total: int) -> None:
    rng = random.Random(2)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN")
    connection.executemany(
        "INSERT OR IGNORE INTO members (guild_id, user_id, display_name, first_seen) VALUES (?, ?, ?, 0)",
        [(u // (MEMBERS // GUILDS), u, f"member {u}") for u in range(MEMBERS)],
    )
    batch: list[tuple[object, ...]] = []
    for i in range(total):
        when = NOW - timedelta(seconds=rng.randrange(90 * 86400))
        batch.append(attempt_values(new_attempt(f"p-{i}", rng, when)))
        if len(batch) == 50_000:
            connection.executemany(INSERT, batch)
            batch.clear()
    connection.executemany(INSERT, batch)
    connection.execute("COMMIT")
    connection.execute("ANALYZE")
    connection.close()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def timed(samples: int, call: Callable[[int], Awaitable[object]]) -> list[float]:
    times = []
    for i in range(samples):
        start = time.perf_counter()
        await call(i % GUILDS)
        times.append((time.perf_counter() - start) * 1000)
    return times


async def leaderboard_latency(directory: Path, total: int, samples: int) -> None:
    path = directory / "board.sqlite3"
    storage = await Storage.open(path)
    await storage.close()
    start = time.perf_counter()
    populate(path, total)
    print(
        f"(b) leaderboards over {total:,} attempts, {MEMBERS:,} members, {GUILDS} guilds "
        f"(built in {time.perf_counter() - start:.0f} s)"
    )
    utc = zone("UTC")
    week_start, week_end = period_bounds("week", NOW, utc)
    assert week_start is not None and week_end is not None
    storage = await Storage.open(path)
    clock = ManualClock(NOW)
    service = StatsService(storage, DeckCatalog(DeckLibrary()), clock)
    raw = sqlite3.connect(path)
    sql = (
        "SELECT a.user_id, SUM(a.points) AS points, COUNT(*) AS attempts, SUM(a.outcome = 'correct')"
        " FROM attempts a WHERE a.guild_id = ? {extra} GROUP BY a.user_id ORDER BY points DESC LIMIT 10"
    )
    try:
        for label, bounds in (
            ("this week", (to_ms(week_start), to_ms(week_end))),
            ("all time", (None, None)),
        ):

            async def query(guild: int, bounds: tuple[int | None, int | None] = bounds) -> object:
                return await storage.stats.leaders(guild, start_ms=bounds[0], end_ms=bounds[1])

            ours = await timed(samples, query)
            extra = "AND a.answered_at >= ? AND a.answered_at < ?" if bounds[0] is not None else ""
            params = bounds if bounds[0] is not None else ()
            baseline = []
            for i in range(samples):
                begin = time.perf_counter()
                raw.execute(sql.format(extra=extra), (i % GUILDS, *params)).fetchall()
                baseline.append((time.perf_counter() - begin) * 1000)
            median = statistics.median(ours)
            verdict = "met" if median < 20 else "MISSED"
            print(
                f"    {label:<9}: repository median {median:6.2f} ms, p99 {percentile(ours, 0.99):6.2f} ms"
                f" | baseline sqlite3 median {statistics.median(baseline):6.2f} ms,"
                f" p99 {percentile(baseline, 0.99):6.2f} ms | < 20 ms median: {verdict}"
            )
        for period in ("week", "all"):

            async def board(guild: int, period: str = period) -> object:
                return await service.leaderboard(guild, period)  # type: ignore[arg-type]

            full = await timed(samples, board)
            print(
                f"    service leaderboard ({period}, top 10 with streaks): median "
                f"{statistics.median(full):6.2f} ms, p99 {percentile(full, 0.99):6.2f} ms"
            )
    finally:
        raw.close()
        await storage.close()
    size = database_size(directory)
    print(
        f"(c) database size with {total:,} attempts: {size / 1e6:,.1f} MB ({size / total:,.0f} bytes/attempt)"
    )


def database_size(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.glob("board.sqlite3*"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--record", type=int, default=2000, help="attempts recorded one at a time")
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        asyncio.run(record_rates(directory, args.record))
        asyncio.run(leaderboard_latency(directory, args.attempts, args.samples))
    return 0


if __name__ == "__main__":
    sys.exit(main())
