"""/quiz mode:missed end to end: exactly the cards a member got wrong or close lately, newest
miss first, in the normal round UI; no points, the review schedule moves as usual."""

from __future__ import annotations

from datetime import timedelta

from tests.e2e.conftest import Server
from tests.e2e.test_quiz import answer, start_quiz
from tests.emulator import Reply


async def missed_round(server: Server, user: int, **options: object) -> Reply:
    handle = await server.emulator.slash(
        "quiz",
        guild_id=server.guild,
        channel_id=server.channel,
        user_id=user,
        options={"mode": "missed", **options},
    )
    return await server.emulator.response_to(handle)


async def test_quiz_mode_missed_serves_exactly_the_missed_cards(server: Server) -> None:
    storage, ada = server.bot.services.storage, server.ada
    # Eight days ago Ada missed LeNet: outside the default week.
    old = await start_quiz(server, ada, count=1)
    await answer(server, old, ada, "Geoffrey Hinton")
    server.clock.advance(timedelta(days=8))

    nothing = await missed_round(server, ada, deck="basics")
    assert "Nothing to review" in nothing.text() and "last 7 days" in nothing.text()

    # Today: LeNet (due again) right, pooling close, regularization right, Paris wrong.
    first = await start_quiz(server, ada, count=4)
    assert "Who developed LeNet?" in first.text()
    await answer(server, first, ada, "LeCun")
    server.clock.advance(timedelta(minutes=1))
    await answer(server, first, ada, "max pooling")
    server.clock.advance(timedelta(minutes=1))
    await answer(server, first, ada, "to prevent overfitting")
    server.clock.advance(timedelta(minutes=1))
    last, _ = await answer(server, first, ada, "London")
    assert "round finished" in last.text()
    points = (await storage.stats.member_totals(server.guild, ada)).points
    paris_before = await storage.srs.get(server.guild, ada, "basics", "paris")
    server.clock.advance(timedelta(hours=1))

    review = await missed_round(server, ada)  # no deck: the deck of the latest miss
    assert review.ephemeral
    assert "Reviewing the 2 cards you missed in the last 7 days" in review.text()
    assert "Capital of France?" in review.text() and "card 1/2" in review.text()
    assert "No points in a review" in review.text()
    assert "no points" in review.embeds[0]["footer"]["text"]
    round_id = int(review.custom_ids[0].split(":")[2])
    quiz = await storage.rounds.get(round_id)
    assert quiz is not None and (quiz.mode, quiz.card_ids) == ("missed", ("paris", "pooling"))

    second, _ = await answer(server, review, ada, "Paris")
    assert "Correct" in second.text() and "(+10)" not in second.text()
    assert "Two common types of pooling" in second.text()
    done, _ = await answer(server, review, ada, "max pooling and average pooling")
    assert "round finished" in done.text() and "**0 points**" in done.text()
    assert (await storage.stats.member_totals(server.guild, ada)).points == points
    paris_after = await storage.srs.get(server.guild, ada, "basics", "paris")
    assert paris_before is not None and paris_after is not None
    assert paris_after.reviews == paris_before.reviews + 1
    assert paris_after.due > paris_before.due

    # A longer look back finds LeNet too; Bob, who missed nothing, is told so.
    longer = await missed_round(server, ada, deck="basics", days=10)
    assert "Reviewing the 3 cards" in longer.text()
    bob = await missed_round(server, server.bob)
    assert "Nothing to review" in bob.text()
    unknown = await missed_round(server, ada, deck="nope")
    assert "There is no deck `nope`" in unknown.text()
