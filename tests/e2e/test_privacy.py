"""/privacy: a member sees what is kept about them and deletes it; an admin removes a member."""

from __future__ import annotations

from tests.e2e.conftest import Server
from tests.e2e.test_quiz import answer, start_quiz


async def slash(server: Server, user: int, subcommand: str, **options: object) -> str:
    handle = await server.emulator.slash(
        "privacy",
        guild_id=server.guild,
        channel_id=server.channel,
        user_id=user,
        subcommand=subcommand,
        options=options,
    )
    reply = await server.emulator.response_to(handle)
    assert reply.ephemeral
    return reply.text()


async def board(server: Server) -> str:
    handle = await server.emulator.slash(
        "leaderboard",
        guild_id=server.guild,
        channel_id=server.channel,
        user_id=server.ada,
        options={"period": "all"},
    )
    return (await server.emulator.response_to(handle)).text()


async def test_a_member_sees_and_forgets_their_data(server: Server) -> None:
    assert "Nothing" in await slash(server, server.ada, "show")
    for user in (server.ada, server.bob):
        shown = await start_quiz(server, user, count=1)
        await answer(server, shown, user, "Yann LeCun")
    kept = await slash(server, server.ada, "show")
    assert "Answers" in kept and "basics" in kept
    assert "ada" in await board(server)
    warned = await slash(server, server.ada, "forget")
    assert "confirm:True" in warned
    assert "ada" in await board(server)
    done = await slash(server, server.ada, "forget", confirm=True)
    assert "1 answers" in done
    assert "Nothing" in await slash(server, server.ada, "show")
    standings = await board(server)
    assert "ada" not in standings and "bob" in standings


async def test_only_admins_remove_a_members_data(server: Server) -> None:
    shown = await start_quiz(server, server.bob, count=1)
    await answer(server, shown, server.bob, "Yann LeCun")
    refused = await slash(server, server.ada, "remove", member=server.bob)
    assert "Manage Server" in refused
    assert "bob" in await board(server)
    removed = await slash(server, server.admin, "remove", member=server.bob)
    assert "1 answers" in removed
    assert "bob" not in await board(server)
