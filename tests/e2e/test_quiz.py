"""/quiz, claims and their review, end to end through the emulator with the real client."""

from __future__ import annotations

import re

from tests.e2e.conftest import Server
from tests.emulator import Reply


async def start_quiz(server: Server, user: int, count: int = 4) -> Reply:
    handle = await server.emulator.slash(
        "quiz",
        guild_id=server.guild,
        channel_id=server.channel,
        user_id=user,
        options={"deck": "basics", "count": count},
    )
    return await server.emulator.response_to(handle)


async def answer(server: Server, reply: Reply, user: int, text: str) -> tuple[Reply, object]:
    """Press Answer on the quiz message, type `text` into the modal, and return the updated message."""
    emu = server.emulator
    assert reply.message_id is not None
    answer_id = next(
        c
        for c in emu.model.messages[reply.message_id]["components"][0]["components"]
        if ":answer:" in c["custom_id"]
    )
    click = await emu.click(reply.message_id, answer_id["custom_id"], user_id=user)
    opened = await emu.response_to(click)
    assert opened.type == 9
    modal = emu.modal_opened(click)
    submit = await emu.submit_modal(
        modal["custom_id"],
        {"answer": text},
        user_id=user,
        guild_id=server.guild,
        channel_id=server.channel,
        message_id=reply.message_id,
    )
    updated = await emu.response_to(submit)
    assert updated.type == 7
    return Reply(7, emu.model.messages[reply.message_id], reply.message_id), submit


async def test_a_full_quiz_round_with_claim_and_review(server: Server) -> None:
    emu, storage = server.emulator, server.bot.services.storage
    first = await start_quiz(server, server.ada)
    assert first.ephemeral
    assert "Who developed LeNet?" in first.text()
    assert "card 1/4" in first.text()
    assert any(re.fullmatch(r"sb:quiz:\d+:answer:0", c) for c in first.custom_ids)

    second, submit = await answer(server, first, server.ada, "Yan LeCunn")
    assert "Correct; watch the spelling" in second.text()
    assert "Two common types of pooling" in second.text()

    await emu.send_interaction_again(submit)  # Discord delivers the same modal submit twice
    await emu.wait_for("POST", rf"/interactions/{submit.id}/", after=len(emu.calls))  # type: ignore[attr-defined]
    assert await storage.attempts.count(server.guild) == 1
    assert not [
        c for c in emu.calls if c.path.startswith(f"/webhooks/{emu.application_id}/{submit.token}")
    ]
    assert (
        "Two common types of pooling"
        in Reply(7, emu.model.messages[first.message_id], first.message_id).text()
    )  # type: ignore[index]

    third, _ = await answer(server, first, server.ada, "max pooling")
    assert "the card asks for the other one too" in third.text()
    claim_id = next(c for c in third.custom_ids if c.startswith("sb:claim:"))

    click = await emu.click(first.message_id, claim_id, user_id=server.ada)  # type: ignore[arg-type]
    filed = await emu.response_to(click)
    assert filed.ephemeral
    assert "Claim #1 filed" in filed.text()
    stranger = await emu.click(first.message_id, claim_id, user_id=server.bob)  # type: ignore[arg-type]
    assert "Only the member who answered" in (await emu.response_to(stranger)).text()

    fourth, _ = await answer(server, first, server.ada, "prevents fitting too much")
    assert "Close" in fourth.text()
    assert "Capital of France?" in fourth.text()
    last, _ = await answer(server, first, server.ada, "Paris")
    assert "round finished" in last.text()
    assert "Answered 4 of 4 cards: **2 correct**" in last.text()
    assert (await storage.stats.member_totals(server.guild, server.ada)).points == 20

    review = await emu.slash(
        "claims",
        guild_id=server.guild,
        channel_id=server.channel,
        user_id=server.admin,
        subcommand="review",
    )
    shown = await emu.response_to(review)
    assert "max pooling" in shown.text()
    approve = next(c for c in shown.custom_ids if c.endswith(":approve"))
    decided = await emu.response_to(
        await emu.click(shown.message_id, approve, user_id=server.admin)
    )  # type: ignore[arg-type]
    assert "No claims are waiting" in decided.text()
    assert (await storage.stats.member_totals(server.guild, server.ada)).points == 30
    assert await storage.answers.accepted(server.guild, "basics", "pooling") == ["max pooling"]


async def test_hint_skip_and_stop(server: Server) -> None:
    emu = server.emulator
    first = await start_quiz(server, server.bob, count=3)
    message = first.message_id
    assert message is not None
    ids = first.custom_ids
    hint = await emu.response_to(
        await emu.click(message, next(c for c in ids if ":hint:" in c), user_id=server.bob)
    )
    assert "French computer scientist" in hint.text()
    skipped = await emu.response_to(
        await emu.click(message, next(c for c in ids if ":skip:" in c), user_id=server.bob)
    )
    assert skipped.type == 7
    assert "Two common types of pooling" in Reply(7, emu.model.messages[message], message).text()
    stop_id = next(
        c
        for c in emu.model.messages[message]["components"][0]["components"]
        if ":stop:" in c["custom_id"]
    )
    await emu.response_to(await emu.click(message, stop_id["custom_id"], user_id=server.bob))
    assert "round finished" in Reply(7, emu.model.messages[message], message).text()


async def test_deck_autocomplete_and_unknown_deck(server: Server) -> None:
    emu = server.emulator
    choices = await emu.autocomplete(
        "quiz",
        focused="deck",
        value="bas",
        guild_id=server.guild,
        channel_id=server.channel,
        user_id=server.ada,
    )
    assert [c["value"] for c in choices] == ["basics"]
    handle = await emu.slash(
        "quiz",
        guild_id=server.guild,
        channel_id=server.channel,
        user_id=server.ada,
        options={"deck": "nope"},
    )
    reply = await emu.response_to(handle)
    assert reply.ephemeral
    assert "There is no deck `nope`" in reply.text()


async def set_new_per_day(server: Server, user: int, count: int) -> Reply:
    handle = await server.emulator.slash(
        "settings",
        guild_id=server.guild,
        channel_id=server.channel,
        user_id=user,
        subcommand="new_per_day",
        options={"count": count},
    )
    return await server.emulator.response_to(handle)


async def test_new_cards_per_day_is_a_server_setting_per_deck_and_an_empty_round_says_why(
    server: Server,
) -> None:
    emu, storage = server.emulator, server.bot.services.storage
    refused = await set_new_per_day(server, server.ada, 0)
    assert refused.ephemeral
    assert "Manage Server" in refused.text()
    assert (await storage.guilds.get(server.guild)).new_cards_per_day == 10

    done = await set_new_per_day(server, server.admin, 2)
    assert done.ephemeral
    assert "**2** new cards a day in each deck" in done.text()
    assert (await storage.guilds.get(server.guild)).new_cards_per_day == 2

    first = await start_quiz(server, server.ada, count=4)
    assert "card 1/2" in first.text()
    await answer(server, first, server.ada, "Yann LeCun")
    last, _ = await answer(server, first, server.ada, "max pooling and average pooling")
    assert "round finished" in last.text()
    assert (
        "No new cards left today for this deck (the limit is 2 new cards a day per deck);"
        " 2 new tomorrow (<t:" in last.text()
    )
    assert "Next card due <t:" in last.text()

    practice = await start_quiz(server, server.ada, count=4)
    assert practice.content.startswith("Practice round (no points): nothing is due in this deck.")
    assert "No new cards left today for this deck" in practice.content

    await set_new_per_day(server, server.admin, 0)
    empty = await start_quiz(server, server.bob)
    assert empty.ephemeral
    assert empty.text() == (
        "Nothing to study in **Basics** right now. No new cards: the daily limit of new cards is 0."
    )
    options = next(
        o
        for c in emu.model.global_commands
        if c["name"] == "settings"
        for o in c["options"]
        if o["name"] == "new_per_day"
    )["options"]
    assert (options[0]["min_value"], options[0]["max_value"]) == (0, 1000)
