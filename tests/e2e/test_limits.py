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


def longest_cards_deck(cards: int = 12) -> Deck:
    """Cards at the format's caps: 1,500-character questions, 3,500-character answers."""
    return Deck(
        id="long",
        name="L" * 100,
        cards=tuple(
            Card(
                id=f"l{n}",
                question=(f"Question {n} " + "q" * 1500)[:1500],
                answer=(f"Answer {n} " + "a" * 3500)[:3500],
                hint="h" * 500,
            )
            for n in range(cards)
        ),
    )


async def test_drills_decks_and_boards_at_the_format_limits(
    emulator: DiscordEmulator, clock: ManualClock, tmp_path: Path
) -> None:
    from datetime import UTC, datetime, timedelta

    import discord

    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "long.toml").write_text(dump_deck(longest_cards_deck()), encoding="utf-8")
    for n in range(45):
        many = Deck(
            id=f"deck-{n:02d}", name=f"{n:02d} " + "N" * 97, cards=longest_cards_deck(1).cards
        )
        (decks / f"deck-{n:02d}.toml").write_text(dump_deck(many), encoding="utf-8")
    settings = dataclasses.replace(settings_for(tmp_path), decks_dir=decks)
    guild = emulator.add_guild("Hall")
    channel = emulator.add_channel(guild, "study")
    admin = emulator.add_member(
        guild, "a" * 32, permissions=discord.Permissions(manage_guild=True).value
    )

    def make() -> StudyBot:
        return StudyBot(settings, clock=clock, run_scheduler=False, guild_ready_timeout=0.05)

    async with running_bot(emulator, make, timeout=60) as bot:
        listed = await emulator.response_to(
            await emulator.slash(
                "decks", guild_id=guild, channel_id=channel, user_id=admin, subcommand="list"
            )
        )
        assert "more" in listed.text()
        choices = await emulator.autocomplete(
            "quiz", focused="deck", value="N", guild_id=guild, channel_id=channel, user_id=admin
        )
        assert len(choices) == 25
        scheduled = await emulator.response_to(
            await emulator.slash(
                "schedule",
                guild_id=guild,
                channel_id=channel,
                user_id=admin,
                subcommand="drill",
                options={
                    "channel": channel,
                    "deck": "long",
                    "time": "09:00",
                    "cards": 10,
                    "timezone": "UTC",
                },
            )
        )
        assert "Scheduled." in scheduled.text()
        clock.set(datetime(2026, 3, 26, 9, 0, tzinfo=UTC))
        report = await bot.scheduler.tick()  # type: ignore[attr-defined]
        assert report.posted
        quiz = await emulator.response_to(
            await emulator.slash(
                "quiz", guild_id=guild, channel_id=channel, user_id=admin, options={"deck": "long"}
            )
        )
        assert quiz.message_id is not None
        clock.advance(timedelta(days=1) - timedelta(minutes=1))
        await bot.scheduler.tick()  # type: ignore[attr-defined]
        revealed = [
            m
            for m in emulator.channel_messages(channel)
            if m["embeds"] and "closed" in str(m["embeds"][0].get("title"))
        ]
        assert revealed and len(revealed[0]["embeds"][0]["fields"]) == 10
        standings = await emulator.response_to(
            await emulator.slash(
                "leaderboard", guild_id=guild, channel_id=channel, user_id=admin, options={}
            )
        )
        assert standings.embeds
    assert emulator.refusals == []
