"""The bot at the format's limits: a 5,000-card deck answered right after start, within
Discord's 3-second deadline, and the emulator holding the bot to that deadline."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bot.app import StudyBot
from bot.decks import dump_deck
from bot.decks.model import Card, Deck
from bot.study.clock import ManualClock
from tests.e2e.conftest import settings_for
from tests.emulator import DiscordEmulator, running_bot


def big_deck(cards: int = 5000) -> Deck:
    """As many cards as a deck may hold, in a file under the 5 MB a deck file may have."""
    return Deck(
        id="big",
        name="B" * 100,
        cards=tuple(
            Card(
                id=f"c{n}",
                question=f"Question {n}: " + "which layer slides a small kernel over the input?",
                answer=f"Answer {n}: the convolutional layer. "
                + "It shares weights across positions.",
                accept=(f"convolutional layer {n}",),
            )
            for n in range(cards)
        ),
    )


async def test_a_5000_card_deck_is_answered_in_time_right_after_start(
    emulator: DiscordEmulator, clock: ManualClock, tmp_path: Path
) -> None:
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "big.toml").write_text(dump_deck(big_deck()), encoding="utf-8")
    settings = dataclasses.replace(settings_for(tmp_path), decks_dir=decks)
    guild = emulator.add_guild("Hall")
    channel = emulator.add_channel(guild, "study")
    ada = emulator.add_member(guild, "ada")

    def make() -> StudyBot:
        return StudyBot(settings, clock=clock, run_scheduler=False, guild_ready_timeout=0.05)

    async with running_bot(emulator, make, timeout=60):
        shown = await emulator.response_to(
            await emulator.slash(
                "quiz", guild_id=guild, channel_id=channel, user_id=ada, options={"deck": "big"}
            )
        )
        assert shown.message_id is not None, shown.text()
        assert emulator.model.messages[shown.message_id]["components"], shown.text()
        answer = next(
            c["custom_id"]
            for c in emulator.model.messages[shown.message_id]["components"][0]["components"]
            if ":answer:" in c["custom_id"]
        )
        click = await emulator.click(shown.message_id, answer, user_id=ada)
        assert (await emulator.response_to(click)).type == 9
        submit = await emulator.submit_modal(
            emulator.modal_opened(click)["custom_id"],
            {"answer": "the convolutional layer, it slides a kernel over the input"},
            user_id=ada,
            guild_id=guild,
            channel_id=channel,
            message_id=shown.message_id,
        )
        graded = await emulator.response_to(submit)
        assert graded.type == 7
    assert emulator.late_responses == []


async def test_the_emulator_drops_a_response_later_than_three_seconds(
    emulator: DiscordEmulator, clock: ManualClock, tmp_path: Path
) -> None:
    guild = emulator.add_guild("Hall")
    channel = emulator.add_channel(guild, "study")
    ada = emulator.add_member(guild, "ada")
    emulator.response_deadline = -1.0  # every response arrives after its deadline
    settings = settings_for(tmp_path)

    def make() -> StudyBot:
        return StudyBot(settings, clock=clock, run_scheduler=False, guild_ready_timeout=0.05)

    async with running_bot(emulator, make):
        handle = await emulator.slash(
            "leaderboard", guild_id=guild, channel_id=channel, user_id=ada, options={}
        )
        await emulator.wait_for("POST", rf"/interactions/{handle.id}/")
    assert handle.id in emulator.late_responses
