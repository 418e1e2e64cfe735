"""Answers through Discord are graded and recorded in the child processes when the bot runs with
them (as it does by default: GRADING_PROCESS and WRITER_PROCESS)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bot.app import StudyBot
from bot.storage.writer_process import WriterProcess
from bot.study.clock import ManualClock
from bot.study.grading_process import ProcessGrader
from tests.e2e.conftest import settings_for
from tests.emulator import DiscordEmulator, running_bot


async def test_quiz_answers_are_graded_and_recorded_by_the_child_processes(
    emulator: DiscordEmulator, clock: ManualClock, tmp_path: Path
) -> None:
    settings = dataclasses.replace(
        settings_for(tmp_path), grading_process=True, writer_process=True
    )
    guild = emulator.add_guild("Hall")
    channel = emulator.add_channel(guild, "study")
    members = [emulator.add_member(guild, name) for name in ("ada", "bob")]

    def make() -> StudyBot:
        return StudyBot(settings, clock=clock, run_scheduler=False, guild_ready_timeout=0.05)

    async with running_bot(emulator, make, timeout=60) as bot:
        assert isinstance(bot, StudyBot)
        grader = bot.services.study.grader
        assert isinstance(grader, ProcessGrader) and grader.running
        # Every shipped deck went to the child at start-up, before anyone opened a card.
        held = {deck.id for deck, _ in grader._decks.values()}
        assert held == set(bot.services.catalog.shipped.decks)
        writer = getattr(bot.services.storage.db, "_process", None)
        on_sqlite = bot.services.storage.backend == "sqlite"  # PostgreSQL writes in its server
        assert not on_sqlite or (isinstance(writer, WriterProcess) and writer.running)
        verdicts = []
        for member, answer in zip(members, ("LeCun", "Geoffrey Hinton"), strict=True):
            shown = await emulator.response_to(
                await emulator.slash(
                    "quiz",
                    guild_id=guild,
                    channel_id=channel,
                    user_id=member,
                    options={"deck": "basics"},
                )
            )
            assert shown.message_id is not None, shown.text()
            button = next(
                c["custom_id"]
                for c in emulator.model.messages[shown.message_id]["components"][0]["components"]
                if ":answer:" in c["custom_id"]
            )
            click = await emulator.click(shown.message_id, button, user_id=member)
            await emulator.response_to(click)
            submit = await emulator.submit_modal(
                emulator.modal_opened(click)["custom_id"],
                {"answer": answer},
                user_id=member,
                guild_id=guild,
                channel_id=channel,
                message_id=shown.message_id,
            )
            verdicts.append((await emulator.response_to(submit)).text())
        assert "✅ Correct" in verdicts[0]
        assert "❌ Not quite" in verdicts[1] and "Hinton" in verdicts[1]
        rows = await bot.services.storage.db.fetchall("SELECT outcome FROM attempts ORDER BY id")
        assert [r["outcome"] for r in rows] == ["correct", "wrong"]
        assert getattr(bot.services.study.grader, "running", False)  # the child graded both
        if isinstance(writer, WriterProcess):
            assert writer.running and writer.batches >= 2  # and the other recorded both
