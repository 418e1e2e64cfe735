from __future__ import annotations

from tests.e2e.conftest import Server


async def test_bot_logs_in_syncs_commands_and_answers(server: Server) -> None:
    emu = server.emulator
    names = {c["name"] for c in emu.model.global_commands}
    assert {"quiz", "leaderboard", "stats", "decks", "claims", "schedule", "settings"} <= names
    handle = await emu.slash(
        "decks",
        guild_id=server.guild,
        channel_id=server.channel,
        user_id=server.ada,
        subcommand="list",
    )
    reply = await emu.response_to(handle)
    assert reply.ephemeral
    assert "Basics" in reply.text()
