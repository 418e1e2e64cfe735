"""Many schedules due in the same minute, posted to the local Discord emulator.

    python benchmarks/schedules.py [--schedules 10000] [--guilds 1000]

The real bot (StudyBot, discord.py client) logs in to the emulator, which enforces Discord's global
limit (429 past 50 requests in a second). All schedules fire at the same local minute; the script
reports the time from the slot to the last post, the requests per second the bot sent (average and
the busiest one-second window) beside the 50/s limit, the 429s it drew, and whether any drill was
dropped. The same-run baseline is the floor Discord's limit allows: posts / 50 seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import StudyBot  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.study.clock import ManualClock  # noqa: E402
from tests.emulator import DiscordEmulator, running_bot  # noqa: E402

DISCORD_GLOBAL_LIMIT = 50
SLOT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


async def run(schedules: int, guilds: int) -> None:
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
        )

        def make() -> StudyBot:
            return StudyBot(settings, clock=clock, run_scheduler=False, guild_ready_timeout=0.5)

        async with running_bot(emulator, make, timeout=120, fast_retries=False) as client:
            bot = client
            assert isinstance(bot, StudyBot)
            start = time.perf_counter()
            created = 0
            for guild in guild_ids:
                for channel in channels[guild]:
                    if created >= schedules:
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
    await emulator.stop()

    posts = [
        c
        for c in emulator.calls[mark:]
        if c.method == "POST" and "/messages" in c.path and c.status == 200
    ]
    sent = [c for c in emulator.calls[mark:] if not c.path.startswith("/interactions/")]
    elapsed = max(finished - began, 1e-9)
    last_post = max((c.at for c in posts), default=began) - began
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
        f"({last_post / floor if floor else 0:.2f}x)"
    )
    print(
        f"requests per second sent: average {len(sent) / elapsed:.1f}, busiest 1-s window {busiest} "
        f"| Discord global limit {DISCORD_GLOBAL_LIMIT}/s"
    )
    print(f"429 responses drawn: {emulator.global_limited}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schedules", type=int, default=10_000)
    parser.add_argument("--guilds", type=int, default=1_000)
    args = parser.parse_args()
    asyncio.run(run(args.schedules, args.guilds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
