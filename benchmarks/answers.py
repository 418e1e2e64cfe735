"""Many members answering an open drill at once, beside an echo bot on the same emulator.

    python benchmarks/answers.py [--members 100 --members 500] [--rounds 3]

The real bot (StudyBot, discord.py client) posts a drill; every member clicks a card's button first
(opening the answer modal), then all of them submit at once, each with one of 30 answers (right,
wrong and half right, in many wordings). For each submit the emulator records
the time from the submit to the bot's interaction callback (the verdict); the script prints p50,
p95, p99 and answers per second, and checks that every answer was recorded exactly once. The
baseline, in the same run and on the same emulator, is an echo bot: plain discord.py answering each
modal submit with a fixed ephemeral message, the least any bot pays. Each round answers the next
card of the drill; figures are medians over the rounds, beside the first round's p99 (the first
burst after start-up, which also finds the deck new to the grader).

Rows: `bot` runs as deployed (grading and writing each in a child process); `writer thread` with
the database writes in a thread of the bot's process instead; `threads` with grading there too.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import StudyBot  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.study.clock import ManualClock  # noqa: E402
from tests.emulator import DiscordEmulator, InteractionHandle, running_bot  # noqa: E402

SLOT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
ANSWERS = (
    "max pooling",
    "max pooling and average pooling",
    "average pooling",
    "to prevent overfitting",
    "it stops the model memorising the training data",
    "Yann LeCun",
    "lecun",
    "Geoffrey Hinton",
    "ReLU",
    "the rectified linear unit, max(0, x)",
    "sigmoid",
    "a 3x3 kernel",
    "5x5",
    "stride 2",
    "it reduces the spatial size of the feature maps",
    "more filters",
    "I don't know",
    "dropout",
    "batch normalization",
    "padding keeps the output the same size as the input",
    "convolution then pooling then fully connected layers",
    "backpropagation",
    "gradient descent",
    "the learning rate",
    "L2 regularization",
    "L1",
    "Xavier initialization",
    "He initialization",
    "translation invariance",
    "edges and textures",
)
"""What members write: right, wrong and half-right answers in many wordings, so that grading does
the work it does in a real drill."""


class EchoBot(discord.Client):
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type is discord.InteractionType.modal_submit:
            await interaction.response.send_message("Recorded.", ephemeral=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


CALLBACK = re.compile(r"^/interactions/(\d+)/[^/]+/callback$")


async def timed_burst(
    emulator: DiscordEmulator, submits: list[Coroutine[Any, Any, InteractionHandle]]
) -> tuple[list[float], float]:
    """Send the submits at once; the latency of each (ms) and answers per second over the burst.
    Callbacks are picked out of the emulator's call log by polling it, since hundreds of waiters
    each rescanning the log would cost the shared event loop more than the bots do."""
    cursor = len(emulator.calls)
    handles = await asyncio.gather(*submits)
    wanted = {h.id: h for h in handles}
    answered: dict[int, float] = {}
    deadline = time.monotonic() + 120
    while len(answered) < len(wanted):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(wanted) - len(answered)} submits were never answered")
        calls, cursor = emulator.calls[cursor:], len(emulator.calls)
        for call in calls:
            match = CALLBACK.match(call.path)
            if match and 200 <= call.status < 300 and int(match[1]) in wanted:
                answered[int(match[1])] = call.at
        await asyncio.sleep(0.002)
    latencies = [(answered[i] - h.created_at) * 1000 for i, h in wanted.items()]
    span = max(answered.values()) - min(h.created_at for h in handles)
    return latencies, len(handles) / max(span, 1e-9)


async def echo_rounds(members: int, rounds: int) -> list[tuple[list[float], float]]:
    emulator = DiscordEmulator()
    await emulator.start()
    guild = emulator.add_guild("echo")
    channel = emulator.add_channel(guild, "study")
    people = [emulator.add_member(guild, f"m{i}") for i in range(members)]

    def make() -> discord.Client:
        return EchoBot(intents=discord.Intents.none())

    results = []
    async with running_bot(emulator, make, timeout=60):  # type: ignore[arg-type]
        for _ in range(rounds):
            submits = [
                emulator.submit_modal(
                    "echo", {"answer": "x"}, user_id=p, guild_id=guild, channel_id=channel
                )
                for p in people
            ]
            results.append(await timed_burst(emulator, submits))
    await emulator.stop()
    return results


async def bot_rounds(
    members: int, rounds: int, *, grading_process: bool = True, writer_process: bool = True
) -> tuple[list[tuple[list[float], float]], str]:
    emulator = DiscordEmulator()
    await emulator.start()
    guild = emulator.add_guild("study hall")
    channel = emulator.add_channel(guild, "study")
    people = [emulator.add_member(guild, f"m{i}") for i in range(members)]
    clock = ManualClock(datetime(2026, 11, 23, 7, 0, tzinfo=UTC))
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            discord_token=emulator.token,
            database_path=Path(tmp) / "bench.sqlite3",
            decks_dir=ROOT / "decks",
            dev_guild_id=None,
            log_level="WARNING",
            api_base=None,
            gateway_url=None,
            grading_process=grading_process,
            writer_process=writer_process,
        )

        def make() -> StudyBot:
            return StudyBot(settings, clock=clock, run_scheduler=False, guild_ready_timeout=0.5)

        async with running_bot(emulator, make, timeout=120) as client:
            bot = client
            assert isinstance(bot, StudyBot)
            await bot.scheduler.add(
                guild_id=guild,
                channel_id=channel,
                kind="drill",
                deck_ids=("understanding-cnns",),
                time_text="09:00",
                days_text="daily",
                timezone="Europe/Berlin",
                size=rounds,
                seconds_per_question=30,
                created_by=1,
            )
            clock.set(SLOT)
            await bot.scheduler.tick()
            (post,) = [m for m in emulator.channel_messages(channel) if m["components"]]
            buttons = [c["custom_id"] for row in post["components"] for c in row["components"]]
            for number in range(rounds):
                modals = []
                for person in people:
                    click = await emulator.click(int(post["id"]), buttons[number], user_id=person)
                    await emulator.response_to(click, timeout=30)
                    modals.append(emulator.modal_opened(click)["custom_id"])
                submits = [
                    emulator.submit_modal(
                        modal,
                        {"answer": ANSWERS[(index + number) % len(ANSWERS)]},
                        user_id=person,
                        guild_id=guild,
                        channel_id=channel,
                    )
                    for index, (person, modal) in enumerate(zip(people, modals, strict=True))
                ]
                results.append(await timed_burst(emulator, submits))
            rows = await bot.services.storage.db.fetchall(
                "SELECT COUNT(*) AS n, COUNT(DISTINCT attempt_key) AS keys,"
                " COUNT(DISTINCT user_id || ':' || card_id) AS answers FROM attempts"
            )
            n, keys, distinct = rows[0]["n"], rows[0]["keys"], rows[0]["answers"]
            expected = members * rounds
            check = (
                f"recorded {n:,} of {expected:,} answers, each once"
                if n == keys == distinct == expected
                else f"PROBLEM: {n:,} attempts ({keys:,} keys, {distinct:,} member-cards) for {expected:,} answers"
            )
    await emulator.stop()
    return results, check


def summary(rounds: list[tuple[list[float], float]]) -> tuple[float, float, float, float, float]:
    """Medians over the rounds of p50, p95, p99 and answers/s, and the first round's p99 (the
    first answers after start-up, to a deck nobody answered yet)."""
    return (
        statistics.median(percentile(r[0], 0.50) for r in rounds),
        statistics.median(percentile(r[0], 0.95) for r in rounds),
        statistics.median(percentile(r[0], 0.99) for r in rounds),
        statistics.median(r[1] for r in rounds),
        percentile(rounds[0][0], 0.99),
    )


async def main(counts: list[int], rounds: int) -> None:
    print(
        f"{'members':>8} {'who':<14}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'answers/s':>11}"
        f"{'1st p99':>9}"
    )
    for members in counts:
        echo = summary(await echo_rounds(members, rounds))
        measured, check = await bot_rounds(members, rounds)
        ours = summary(measured)
        writer_thread = summary((await bot_rounds(members, rounds, writer_process=False))[0])
        threads = summary(
            (await bot_rounds(members, rounds, grading_process=False, writer_process=False))[0]
        )
        rows = (
            ("echo", echo),
            ("bot", ours),
            ("writer thread", writer_thread),
            ("threads", threads),
        )
        for who, figures in rows:
            p50, p95, p99, rate, first = figures
            print(
                f"{members:>8} {who:<14}{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}{rate:>11.0f}{first:>9.1f}"
            )
        print(
            f"{'':>8} bot: ratio p99 {ours[2] / echo[2]:.2f}x, answers/s {echo[3] / ours[3]:.2f}x slower; {check}"
        )
        for who, figures in rows[2:]:
            print(
                f"{'':>8} {who}: ratio p99 {figures[2] / echo[2]:.2f}x,"
                f" answers/s {echo[3] / figures[3]:.2f}x slower"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, action="append")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.members or [100, 500], args.rounds))
