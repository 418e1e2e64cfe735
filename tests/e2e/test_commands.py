"""Admin refusals, deck import and removal, progress commands, rate limits and server errors,
and mentions, through the emulator with the real client."""

from __future__ import annotations

import logging

import pytest

from tests.e2e.conftest import Server
from tests.e2e.test_quiz import answer, start_quiz


async def test_members_without_manage_server_are_refused(server: Server) -> None:
    emu = server.emulator
    attachment = emu.add_attachment("deck.csv", b"Q1,A1\nQ2,A2\n")
    for name, subcommand, options in (
        ("decks", "import", {"file": attachment}),
        ("decks", "remove", {"deck": "basics"}),
        ("claims", "review", {}),
        ("schedule", "list", {}),
        ("settings", "timezone", {"name": "Europe/Berlin"}),
    ):
        handle = await emu.slash(
            name,
            guild_id=server.guild,
            channel_id=server.channel,
            user_id=server.ada,
            options=options,
            subcommand=subcommand,
        )
        reply = await emu.response_to(handle)
        assert reply.ephemeral, name
        assert "Manage Server" in reply.text(), (name, subcommand)
    assert len(server.bot.services.catalog.for_guild(server.guild)) == 1
    registered = {c["name"]: c for c in emu.model.global_commands}
    for admin_only in ("claims", "schedule", "settings"):
        assert str(registered[admin_only]["default_member_permissions"]) == "32"


async def test_deck_import_validates_and_remove_deletes(server: Server) -> None:
    emu = server.emulator
    bad = emu.add_attachment("broken.toml", b'name = "Broken"\n[[cards]]\nquestion = "Q?"\n')
    handle = await emu.slash(
        "decks",
        guild_id=server.guild,
        channel_id=server.channel,
        user_id=server.admin,
        options={"file": bad},
        subcommand="import",
    )
    reply = await emu.response_to(handle)
    assert reply.type == 5
    assert "broken.toml:2: cards[0].answer: is missing" in reply.text()

    good = emu.add_attachment("capitals.csv", b"Capital of Peru?,Lima\nCapital of Japan?,Tokyo\n")
    handle = await emu.slash(
        "decks",
        guild_id=server.guild,
        channel_id=server.channel,
        user_id=server.admin,
        options={"file": good},
        subcommand="import",
    )
    assert (
        "Imported **Capitals** (`capitals`) with 2 cards" in (await emu.response_to(handle)).text()
    )
    listed = await emu.response_to(
        await emu.slash(
            "decks",
            guild_id=server.guild,
            channel_id=server.channel,
            user_id=server.ada,
            subcommand="list",
        )
    )
    assert "Capitals" in listed.text()
    info = await emu.response_to(
        await emu.slash(
            "decks",
            guild_id=server.guild,
            channel_id=server.channel,
            user_id=server.ada,
            options={"deck": "capitals"},
            subcommand="info",
        )
    )
    assert "Capital of Peru?" in info.text()

    handle = await emu.slash(
        "decks",
        guild_id=server.guild,
        channel_id=server.channel,
        user_id=server.admin,
        options={"deck": "basics"},
        subcommand="remove",
    )
    assert "Only decks imported on this server" in (await emu.response_to(handle)).text()
    handle = await emu.slash(
        "decks",
        guild_id=server.guild,
        channel_id=server.channel,
        user_id=server.admin,
        options={"deck": "capitals"},
        subcommand="remove",
    )
    assert "Removed the deck" in (await emu.response_to(handle)).text()
    assert server.bot.services.catalog.get(server.guild, "capitals") is None


async def test_leaderboard_and_stats_with_chart(server: Server) -> None:
    emu = server.emulator
    first = await start_quiz(server, server.ada, count=1)
    await answer(server, first, server.ada, "LeCun")
    board = await emu.response_to(
        await emu.slash(
            "leaderboard",
            guild_id=server.guild,
            channel_id=server.channel,
            user_id=server.bob,
            options={"period": "all"},
        )
    )
    assert not board.ephemeral
    assert "ada" in board.text()
    assert "**10** pts" in board.text()
    handle = await emu.slash(
        "stats",
        guild_id=server.guild,
        channel_id=server.channel,
        user_id=server.bob,
        options={"member": server.ada},
    )
    stats = await emu.response_to(handle)
    assert "Stats · ada" in stats.text()
    callback = await emu.wait_for("POST", rf"/interactions/{handle.id}/")
    assert callback.files == ["activity.png"]


async def test_a_429_and_a_500_during_a_reply_are_survived(server: Server) -> None:
    emu = server.emulator
    emu.fail_next("POST", r"/callback$", status=429, retry_after=0.01)
    emu.fail_next("POST", r"/callback$", status=500)
    handle = await emu.slash(
        "decks",
        guild_id=server.guild,
        channel_id=server.channel,
        user_id=server.ada,
        subcommand="list",
    )
    reply = await emu.response_to(handle, timeout=10)
    assert "Basics" in reply.text()
    statuses = [c.status for c in emu.calls if c.path.startswith(f"/interactions/{handle.id}/")]
    assert statuses == [429, 500, 200]
    assert emu.retry_sleeps == [0.01, 3]  # what discord.py asked for; the test waited for neither


async def test_mentions_in_answers_and_names_never_ping(server: Server) -> None:
    emu = server.emulator
    first = await start_quiz(server, server.ada, count=1)
    updated, _ = await answer(server, first, server.ada, "@everyone <@123456789012345678> LeCun")
    sent = [
        c
        for c in emu.calls
        if isinstance(c.json, dict)
        and (
            c.json.get("content")
            or c.json.get("embeds")
            or (c.json.get("data") or {}).get("embeds")
            or (c.json.get("data") or {}).get("content")
        )
    ]
    assert sent
    for call in sent:
        body = call.json.get("data") if "data" in call.json else call.json
        assert body.get("allowed_mentions") == {"parse": []}, call.path
    assert "@everyone" not in updated.text().replace("@\u200beveryone", "")


async def test_error_replies_never_echo_input_past_discords_limits(server: Server) -> None:
    emu = server.emulator
    long_time = "9" * 3000
    handle = await emu.slash(
        "schedule",
        guild_id=server.guild,
        channel_id=server.channel,
        user_id=server.admin,
        subcommand="drill",
        options={"channel": server.channel, "deck": "basics", "time": long_time},
    )
    reply = await emu.response_to(handle)
    assert "not a time" in reply.text()
    assert reply.ephemeral
    zone = await emu.slash(
        "settings",
        guild_id=server.guild,
        channel_id=server.channel,
        user_id=server.admin,
        subcommand="timezone",
        options={"name": "Europe/" + "x" * 3000},
    )
    refused = await emu.response_to(zone)
    assert "is not an IANA time zone" in refused.text()
    assert len(refused.text()) < 300


def test_the_emulator_refuses_what_discord_refuses() -> None:
    from tests.emulator.limits import message_problems, modal_problems

    assert message_problems({"content": "x" * 2000}) == []
    assert message_problems({"content": "x" * 2001})
    big = {"title": "t", "description": "d" * 4000}
    assert message_problems({"embeds": [big]}) == []
    assert any("in all" in p for p in message_problems({"embeds": [big, big]}))
    assert message_problems({"embeds": [{"fields": [{"name": "n", "value": "v" * 1025}]}]})
    row = {
        "type": 1,
        "components": [{"type": 2, "custom_id": str(i), "label": "b"} for i in range(6)],
    }
    assert message_problems({"components": [row]})
    assert modal_problems({"title": "t" * 46, "custom_id": "m", "components": [row]})


async def test_forged_and_stale_buttons_get_a_clear_refusal(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    emu = server.emulator
    forged = ("sb:drill:99999999999999999999:1", "sb:quiz:1:dance:0", "sb:unknown")
    row = {
        "type": 1,
        "components": [{"type": 2, "style": 1, "label": "x", "custom_id": c} for c in forged],
    }
    message = emu._new_message(server.channel, {"content": "old post", "components": [row]})
    for custom_id in forged:
        click = await emu.click(int(message["id"]), custom_id, user_id=server.ada)
        reply = await emu.response_to(click)
        assert reply.ephemeral
        assert "no longer valid" in reply.text()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_emulator_refuses_commands_and_choices_discord_refuses() -> None:
    from tests.emulator.limits import autocomplete_problems, commands_problems

    good = {
        "name": "quiz",
        "description": "Practice",
        "options": [
            {"name": "deck", "description": "Deck", "type": 3, "required": True},
            {"name": "count", "description": "How many", "type": 4},
        ],
    }
    assert commands_problems([good]) == []
    assert commands_problems([{**good, "name": "Quiz Now"}])
    assert commands_problems([{**good, "description": "d" * 101}])
    out_of_order = {**good, "options": list(reversed(good["options"]))}  # type: ignore[call-overload]
    assert any("required options" in p for p in commands_problems([out_of_order]))
    assert autocomplete_problems({"choices": [{"name": "n", "value": "v"}] * 25}) == []
    assert autocomplete_problems({"choices": [{"name": "n", "value": "v"}] * 26})
    assert autocomplete_problems({"choices": [{"name": "n" * 101, "value": "v"}]})
