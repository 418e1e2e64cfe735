"""What /stats costs for one member in a big guild, with the member indexes and without them.

    python benchmarks/member_stats.py [--attempts 1000000] [--members 5000]

One SQLite file holds N attempts of one guild (five decks, 200 cards each). The four queries
/stats makes for a member (totals, cards, days in a range, active days) are timed for 200 random
members; the baseline, in the same run, is the same database with the indexes of migration 0008
replaced by the ones before it. Prints the median and p95 per member, and the ratio.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.storage.db import MIGRATIONS_DIR, discover_migrations

QUERIES = (
    "SELECT COUNT(*), COALESCE(SUM(outcome = 'correct'), 0), COALESCE(SUM(points), 0)"
    " FROM attempts WHERE guild_id = ? AND user_id = ?",
    "SELECT deck_id, card_id, COUNT(*), SUM(outcome = 'correct') FROM attempts"
    " WHERE guild_id = ? AND user_id = ? GROUP BY deck_id, card_id",
    "SELECT local_day, COUNT(*), SUM(outcome = 'correct') FROM attempts"
    " WHERE guild_id = ? AND user_id = ? AND local_day BETWEEN 739000 AND 739090 GROUP BY local_day",
    "SELECT DISTINCT local_day FROM attempts WHERE guild_id = ? AND user_id = ?",
)
BEFORE_0008 = (
    "DROP INDEX attempts_member_cards",
    "DROP INDEX attempts_member_days",
    "CREATE INDEX attempts_member_day ON attempts (guild_id, user_id, local_day)",
)


def build(path: Path, attempts: int, members: int) -> None:
    connection = sqlite3.connect(path)
    for migration in discover_migrations(MIGRATIONS_DIR):
        connection.executescript(migration.sql)
    rng = random.Random(7)
    rows = (
        (
            f"k{i}",
            1,
            rng.randrange(members),
            f"deck{rng.randrange(5)}",
            f"card{rng.randrange(200)}",
            "quiz",
            None,
            "answer",
            rng.choice(("correct", "wrong", "close")),
            1.0,
            rng.choice((0, 10)),
            i,
            739000 + rng.randrange(120),
        )
        for i in range(attempts)
    )
    connection.executemany(
        "INSERT INTO attempts (attempt_key, guild_id, user_id, deck_id, card_id, context,"
        " context_id, response, outcome, score, points, answered_at, local_day)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    connection.commit()
    connection.close()


def per_member_ms(path: Path, members: int) -> list[float]:
    connection = sqlite3.connect(path)
    rng = random.Random(11)
    times = []
    for _ in range(200):
        user = rng.randrange(members)
        start = time.perf_counter()
        for query in QUERIES:
            connection.execute(query, (1, user)).fetchall()
        times.append((time.perf_counter() - start) * 1000)
    connection.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stats.sqlite3"
        build(path, args.attempts, args.members)
        ours = per_member_ms(path, args.members)
        connection = sqlite3.connect(path)
        for statement in BEFORE_0008:
            connection.execute(statement)
        connection.commit()
        connection.close()
        before = per_member_ms(path, args.members)
    print(
        f"{args.attempts:,} attempts, {args.members:,} members: the four /stats queries per member"
    )
    for label, times in (
        ("member indexes (0008)", ours),
        ("baseline: indexes before 0008", before),
    ):
        print(
            f"  {label:<32} median {statistics.median(times):7.2f} ms"
            f"   p95 {sorted(times)[int(0.95 * len(times))]:7.2f} ms"
        )
    print(
        f"  ratio (baseline / ours, medians): {statistics.median(before) / statistics.median(ours):.1f}x"
    )


if __name__ == "__main__":
    main()
