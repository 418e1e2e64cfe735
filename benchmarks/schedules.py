"""Many schedules due in the same minute, posted to the local Discord emulator.

    python benchmarks/schedules.py [--schedules 10000] [--guilds 1000] [--busy 0] [--closes]

The real bot (StudyBot, discord.py client) logs in to the emulator, which enforces Discord's global
limit (429 past 50 requests in a second). All schedules fire at the same local minute; the script
reports the time from the slot to the last post, the requests per second the bot sent (average and
the busiest one-second window) beside the 50/s limit, the 429s it drew, and whether any drill was
dropped. The same-run baseline is the floor Discord's limit allows: posts / 50 seconds.

`--busy N` adds N more schedules in the first channel, which Discord lets take 5 posts per 5 s:
the script then also reports when the other channels got their last post, against their own floor,
so a busy channel that holds the others back shows.

`--closes` goes on to the next day: the drills close a minute before the next slot and are revealed
(one edit each) while the next slot's drills are posted, as the running bot does it; the script
reports the next slot's posts against their floor, and when closes and posts were all done.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import StudyBot  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.study.clock import ManualClock  # noqa: E402
from bot.study.scheduling import CLOSE_BEFORE_NEXT  # noqa: E402
from tests.emulator import DiscordEmulator, running_bot  # noqa: E402

DISCORD_GLOBAL_LIMIT = 50
SLOT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


async def run(schedules: int, guilds: int, busy: int, closes: bool) -> None:
    emulator = DiscordEmulator()
    await emulator.start()
    emulator.enforce_global_limit(DISCORD_GLOBAL_LIMIT)
    guild_ids = [emulator.add_guild(f"guild {i}") for i in range(guilds)]
    per_guild = max(1, schedules // guilds)
    channels = {
        g: [emulator.add_channel(g, f"study-{j}") for j in range(per_guild)] for g in guild_ids
    }
    clock = ManualClock(datetime(2026, 11, 23, 7, 0, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            discord_token=emulator.token,
            database_path=Path(tmp) / "bench.sqlite3",
            decks_dir=ROOT / "decks",
            dev_guild_id=None,
            log_level="WARNING",
            api_base=None,
            gateway_url=None,
            writer_process=True,  # as the bot runs by default
        )

        def make() -> StudyBot:
            return StudyBot(settings, clock=clock, run_scheduler=False, guild_ready_timeout=0.5)

        async with running_bot(emulator, make, timeout=120, fast_retries=False) as client:
            bot = client
            assert isinstance(bot, StudyBot)
            start = time.perf_counter()
            # First, so that they are claimed first: the order that would hold the others back.
            busy_channel = channels[guild_ids[0]][0]
            for _ in range(busy):
                await bot.scheduler.add(
                    guild_id=guild_ids[0],
                    channel_id=busy_channel,
                    kind="drill",
                    deck_ids=("understanding-cnns",),
                    time_text="09:00",
                    days_text="daily",
                    timezone="Europe/Berlin",
                    size=3,
                    seconds_per_question=30,
                    created_by=1,
                )
            created = busy
            for guild in guild_ids:
                for channel in channels[guild]:
                    if created >= schedules + busy:
                        break
                    await bot.scheduler.add(
                        guild_id=guild,
                        channel_id=channel,
                        kind="drill",
                        deck_ids=("understanding-cnns",),
                        time_text="09:00",
                        days_text="daily",
                        timezone="Europe/Berlin",
                        size=3,
                        seconds_per_question=30,
                        created_by=1,
                    )
                    created += 1
            print(
                f"created {created:,} schedules in {guilds:,} guilds in {time.perf_counter() - start:.1f} s"
            )
            clock.set(SLOT)  # 09:00 in Berlin: every schedule is due now
            mark = len(emulator.calls)
            began = time.monotonic()
            report = await bot.scheduler.tick()
            finished = time.monotonic()
            if closes:
                await next_day(bot, clock, emulator, created)
    await emulator.stop()

    first_day = [c for c in emulator.calls[mark:] if c.at <= finished]
    posts = [
        c for c in first_day if c.method == "POST" and "/messages" in c.path and c.status == 200
    ]
    sent = [c for c in first_day if not c.path.startswith("/interactions/")]
    elapsed = max(finished - began, 1e-9)
    last_post = max((c.at for c in posts), default=began) - began
    first_post = min((c.at for c in posts), default=began) - began
    busiest = 0
    window_start = 0
    times = sorted(c.at for c in sent)
    for index, at in enumerate(times):
        while at - times[window_start] >= 1.0:
            window_start += 1
        busiest = max(busiest, index - window_start + 1)
    floor = len(posts) / DISCORD_GLOBAL_LIMIT
    print(
        f"drills posted {len(posts):,} of {created:,} due (dropped {created - len(report.posted):,}, failed {len(report.failed)})"
    )
    print(
        f"time from slot to last post: {last_post:.1f} s | baseline, the floor at 50 req/s: {floor:.1f} s "
        f"({last_post / floor if floor else 0:.2f}x); first post {first_post:.1f} s after the slot"
    )
    print(
        f"requests per second sent: average {len(sent) / elapsed:.1f}, busiest 1-s window {busiest} "
        f"| Discord global limit {DISCORD_GLOBAL_LIMIT}/s"
    )
    print(
        f"429 responses drawn (both days): {emulator.global_limited} global, "
        f"{len(emulator.route_limits.refused)} per route "
        f"{dict(Counter(name for name, _ in emulator.route_limits.refused))}"
    )
    if busy:
        busy_path = f"/channels/{busy_channel}/messages"
        others = [c for c in posts if c.path != busy_path]
        in_busy = [c for c in posts if c.path == busy_path]
        last_other = max((c.at for c in others), default=began) - began
        last_busy = max((c.at for c in in_busy), default=began) - began
        own_floor = len(others) / DISCORD_GLOBAL_LIMIT
        print(
            f"other channels' last post: {last_other:.1f} s | their floor {own_floor:.1f} s "
            f"({last_other / own_floor if own_floor else 0:.2f}x); the busy channel's "
            f"{len(in_busy)} posts ended at {last_busy:.1f} s"
        )


async def next_day(
    bot: StudyBot, clock: ManualClock, emulator: DiscordEmulator, created: int
) -> None:
    """The day's drills close a minute before the next slot, as the runner does it: the reveals
    run in a task of their own while the next slot's drills are posted."""
    clock.set(SLOT + timedelta(days=1) - CLOSE_BEFORE_NEXT)
    mark = len(emulator.calls)
    closed_at = time.monotonic()
    closing = await bot.scheduler.post_due()
    reveals = asyncio.create_task(bot.scheduler.reveal_pending())
    await asyncio.sleep(CLOSE_BEFORE_NEXT.total_seconds())
    clock.set(SLOT + timedelta(days=1))
    slot_at = time.monotonic()
    report = await bot.scheduler.post_due()
    posted_at = time.monotonic()
    await reveals
    revealed_at = time.monotonic()
    calls = emulator.calls[mark:]
    edits = [c for c in calls if c.method == "PATCH" and c.status == 200]
    posts = [c for c in calls if c.method == "POST" and "/messages" in c.path and c.status == 200]
    last_post = max((c.at for c in posts), default=slot_at) - slot_at
    floor = len(posts) / DISCORD_GLOBAL_LIMIT
    print(
        f"next day: {len(closing.closed):,} drills closed a minute before the slot, "
        f"{len(edits):,} reveal edits ({len(edits) / max(len(closing.closed), 1):.2f} per close), "
        f"{len(await bot.services.storage.drills.unrevealed())} left unrevealed"
    )
    print(
        f"next slot: {len(report.posted):,} of {created:,} posted, slot to last post "
        f"{last_post:.1f} s | floor {floor:.1f} s ({last_post / floor if floor else 0:.2f}x); "
        f"posting done {posted_at - slot_at:.1f} s after the slot"
    )
    both = (len(edits) + len(posts)) / DISCORD_GLOBAL_LIMIT
    print(
        f"closes and next posts all done {revealed_at - closed_at:.1f} s after the first close "
        f"| floor for both at 50 req/s {both:.1f} s ({(revealed_at - closed_at) / both:.2f}x); "
        f"429s so far {emulator.global_limited} global, "
        f"{len(emulator.route_limits.refused)} per route"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schedules", type=int, default=10_000)
    parser.add_argument("--guilds", type=int, default=1_000)
    parser.add_argument("--busy", type=int, default=0, help="extra schedules in one channel")
    parser.add_argument(
        "--closes", action="store_true", help="then close the drills and post the next day's"
    )
    args = parser.parse_args()
    asyncio.run(run(args.schedules, args.guilds, args.busy, args.closes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
