"""A card with a picture shows it: attached to the /quiz message, with the embed pointing at it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import discord

from bot.app import StudyBot
from bot.study.clock import ManualClock
from bot.study.scheduling import TickReport
from tests.decks.anki_files import png
from tests.e2e.conftest import settings_for
from tests.emulator import DiscordEmulator, RecordedCall, running_bot


def organs_deck(folder: Path) -> Path:
    decks = folder / "decks"
    (decks / "organs.media").mkdir(parents=True)
    (decks / "organs.media" / "lung.png").write_bytes(png(4, 4))
    (decks / "organs.toml").write_text(
        'name = "Organs"\n\n[[cards]]\nid = "lung"\nquestion = "Which organ is this?"\n'
        'answer = "the lung"\nimage = "organs.media/lung.png"\n',
        encoding="utf-8",
    )
    return decks


async def test_a_quiz_card_with_an_image_carries_it(
    emulator: DiscordEmulator, clock: ManualClock, tmp_path: Path
) -> None:
    guild = emulator.add_guild("Anatomy")
    channel = emulator.add_channel(guild, "study")
    ada = emulator.add_member(guild, "ada")
    settings = replace(settings_for(tmp_path), decks_dir=organs_deck(tmp_path))

    def make() -> StudyBot:
        return StudyBot(settings, clock=clock, run_scheduler=False, guild_ready_timeout=0.05)

    async with running_bot(emulator, make):
        handle = await emulator.slash(
            "quiz",
            guild_id=guild,
            channel_id=channel,
            user_id=ada,
            options={"deck": "organs", "count": 2},
        )
        reply = await emulator.response_to(handle)
        callback = next(
            c for c in emulator.calls if c.path.startswith(f"/interactions/{handle.id}/")
        )
        assert "Which organ is this?" in reply.text()
        assert reply.embeds[0]["image"]["url"] == "attachment://card.png"
        assert callback.files == ["card.png"]

        assert reply.message_id is not None
        answer = next(c for c in reply.custom_ids if ":answer:" in c)
        click = await emulator.click(reply.message_id, answer, user_id=ada)
        await emulator.response_to(click)
        submit = await emulator.submit_modal(
            emulator.modal_opened(click)["custom_id"],
            {"answer": "lung"},
            user_id=ada,
            guild_id=guild,
            channel_id=channel,
            message_id=reply.message_id,
        )
        summary = await emulator.response_to(submit)
        assert summary.type == 7
        edited = next(c for c in emulator.calls if c.path.startswith(f"/interactions/{submit.id}/"))
        assert edited.json["data"]["attachments"] == []


async def nine_oclock_posts(
    emulator: DiscordEmulator, clock: ManualClock, tmp_path: Path, channel: int, guild: int
) -> tuple[TickReport, list[RecordedCall], bool]:
    """A drill and a session of the organs deck due at 09:00 in `channel`, ticked once: the tick's
    report, the channel's accepted posts, and whether any schedule was paused."""
    settings = replace(settings_for(tmp_path), decks_dir=organs_deck(tmp_path))

    def make() -> StudyBot:
        return StudyBot(settings, clock=clock, run_scheduler=False, guild_ready_timeout=0.05)

    async with running_bot(emulator, make) as bot:
        assert isinstance(bot, StudyBot)
        for kind in ("drill", "session"):
            await bot.scheduler.add(
                guild_id=guild,
                channel_id=channel,
                kind=kind,  # type: ignore[arg-type]
                deck_ids=("organs",),
                time_text="09:00",
                days_text="daily",
                timezone="UTC",
                size=1,
                seconds_per_question=30,
                created_by=1,
            )
        clock.set(clock.now().replace(hour=9, minute=0))
        report = await bot.scheduler.tick()
        paused = any(s.paused for s in await bot.services.storage.schedules.all())
    posts = [
        c
        for c in emulator.calls
        if c.method == "POST" and c.path == f"/channels/{channel}/messages" and c.status == 200
    ]
    return report, posts, paused


async def test_a_drill_post_attaches_its_cards_pictures(
    emulator: DiscordEmulator, clock: ManualClock, tmp_path: Path
) -> None:
    guild = emulator.add_guild("Anatomy")
    channel = emulator.add_channel(guild, "study")
    report, posts, _ = await nine_oclock_posts(emulator, clock, tmp_path, channel, guild)
    assert len(report.posted) == 2
    assert sorted(tuple(c.files) for c in posts) == [("card-1.png",), ("card.png",)]
    session_post = next(c for c in posts if c.files == ["card.png"])
    assert session_post.json["embeds"][0]["image"]["url"] == "attachment://card.png"


async def test_without_attach_files_the_posts_go_out_without_pictures(
    emulator: DiscordEmulator, clock: ManualClock, tmp_path: Path
) -> None:
    guild = emulator.add_guild("Anatomy")
    channel = emulator.add_channel(guild, "study")
    emulator.deny_bot(channel, discord.Permissions(attach_files=True).value)
    report, posts, paused = await nine_oclock_posts(emulator, clock, tmp_path, channel, guild)
    assert len(report.posted) == 2 and report.failed == []
    assert not paused
    assert [c.files for c in posts] == [[], []]
    assert all("image" not in c.json["embeds"][0] for c in posts)
