"""Restarts, and the real entry point `python -m bot run` pointed at the emulator."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.study.clock import ManualClock
from tests.conftest import FIXTURES, REPO_ROOT
from tests.e2e.conftest import bot_factory
from tests.emulator import DiscordEmulator, running_bot


async def test_quiz_buttons_keep_working_after_a_restart(
    emulator: DiscordEmulator, clock: ManualClock, tmp_path: Path
) -> None:
    guild = emulator.add_guild("Study Hall")
    channel = emulator.add_channel(guild, "study")
    ada = emulator.add_member(guild, "ada")
    async with running_bot(emulator, bot_factory(tmp_path, clock)):
        handle = await emulator.slash(
            "quiz", guild_id=guild, channel_id=channel, user_id=ada, options={"deck": "basics"}
        )
        reply = await emulator.response_to(handle)
    assert reply.message_id is not None
    answer_button = next(c for c in reply.custom_ids if ":answer:" in c)
    async with running_bot(emulator, bot_factory(tmp_path, clock)):
        click = await emulator.click(reply.message_id, answer_button, user_id=ada)
        opened = await emulator.response_to(click)
        assert opened.type == 9
        modal = emulator.modal_opened(click)
    async with running_bot(emulator, bot_factory(tmp_path, clock)) as bot:
        submit = await emulator.submit_modal(
            modal["custom_id"],
            {"answer": "LeCun"},
            user_id=ada,
            guild_id=guild,
            channel_id=channel,
            message_id=reply.message_id,
        )
        updated = await emulator.response_to(submit)
        assert updated.type == 7
        assert "Correct" in str(updated.data["embeds"])
        assert await bot.services.storage.attempts.count(guild) == 1  # type: ignore[attr-defined]


async def test_gateway_reconnect_resumes(
    emulator: DiscordEmulator, clock: ManualClock, tmp_path: Path
) -> None:
    guild = emulator.add_guild("Study Hall")
    channel = emulator.add_channel(guild, "study")
    ada = emulator.add_member(guild, "ada")
    async with running_bot(emulator, bot_factory(tmp_path, clock)):
        await emulator.drop_connection()
        await asyncio.wait_for(emulator.resumed.wait(), 10)
        handle = await emulator.slash(
            "decks", guild_id=guild, channel_id=channel, user_id=ada, subcommand="list"
        )
        assert "Basics" in (await emulator.response_to(handle)).text()


async def test_python_m_bot_run_against_the_emulator(
    emulator: DiscordEmulator, tmp_path: Path
) -> None:
    guild = emulator.add_guild("Study Hall")
    channel = emulator.add_channel(guild, "study")
    ada = emulator.add_member(guild, "ada")
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "DISCORD_TOKEN": emulator.token,
        "DISCORD_API_BASE": emulator.api_base,
        "DISCORD_GATEWAY_URL": emulator.gateway_url,
        "DATABASE_PATH": str(tmp_path / "run.sqlite3"),
        "DECKS_DIR": str(FIXTURES / "e2e_decks"),
        "LOG_LEVEL": "INFO",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        await emulator.wait_for("PUT", r"/applications/\d+/commands$", timeout=60)
        await emulator.wait_until_ready(timeout=30)
        handle = await emulator.slash(
            "decks", guild_id=guild, channel_id=channel, user_id=ada, subcommand="list"
        )
        assert "Basics" in (await emulator.response_to(handle, timeout=30)).text()
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, output.decode()
    assert b"Traceback" not in output
    assert (tmp_path / "run.sqlite3").exists()
