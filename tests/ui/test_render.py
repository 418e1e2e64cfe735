from __future__ import annotations

import io

from PIL import Image

from bot.decks import Card, Deck
from bot.domain import DayCounts, QuizRound
from bot.study.stats import Leaderboard, LeaderboardEntry
from bot.ui import render
from bot.ui.chart import activity_chart
from bot.ui.components import ANSWER_MODAL, QuizButton, answer_modal, modal_value
from bot.ui.text import safe

CARD = Card(
    id="c",
    question="Who pinged @everyone and <@123456789012345678>?",
    answer="**Nobody** @here",
    hint="h",
)
DECK = Deck(id="d", name="Deck @everyone", cards=(CARD,))


def test_deck_text_and_names_never_carry_live_mentions() -> None:
    quiz = QuizRound(1, 1, 2, "d", ("c",), frozenset(), 0, 0, 0, 0, False)
    embed = render.quiz_card(DECK, quiz, CARD, hint=True)
    text = f"{embed.title} {embed.description}"
    assert "@everyone" not in text.replace("@\u200beveryone", "")
    assert "<@123456789012345678>" not in text
    entry = LeaderboardEntry(1, 5, "@everyone", 10, 1, 1, 1, 1)
    board = render.leaderboard(Leaderboard(1, "week", None, "UTC", (entry,)), None)
    assert "@everyone" not in (board.description or "").replace("@\u200beveryone", "")
    assert safe("**bold**") == "\\*\\*bold\\*\\*"
    assert safe("x" * 2000, 10) == "x" * 9 + "…"


def test_safe_text_seen_before_is_cut_to_each_callers_limit() -> None:
    text = "**the reference answer** " * 40
    assert safe(text, 20) == "\\*\\*the reference a…"
    assert len(safe(text)) == 1024
    assert safe(text, 20) == "\\*\\*the reference a…"
    assert safe(text, 600) == safe(text)[:599] + "…"


def test_chart_is_a_png_of_the_expected_size() -> None:
    days = [DayCounts(700000 + i, i % 4, i % 3) for i in range(30)]
    image = Image.open(io.BytesIO(activity_chart(days)))
    assert image.format == "PNG"
    assert image.size == (600, 220)
    empty = Image.open(io.BytesIO(activity_chart([DayCounts(1, 0, 0)] * 30)))
    assert empty.format == "PNG"


def test_custom_ids_round_trip() -> None:
    button = QuizButton(12, "answer", 3)
    assert button.item.custom_id == "sb:quiz:12:answer:3"
    modal = answer_modal("quiz", 12, 3, 1_700_000_000_000, "Q" * 300)
    assert len(modal.custom_id) <= 100
    match = ANSWER_MODAL.match(modal.custom_id)
    assert match is not None
    assert (match["context"], match["ref"], match["position"]) == ("quiz", "12", "3")
    data = {
        "components": [
            {"type": 1, "components": [{"type": 4, "custom_id": "answer", "value": "LeCun"}]}
        ]
    }
    assert modal_value(data) == "LeCun"
    assert modal_value({"components": []}) == ""


def test_every_restart_proof_button_is_registered() -> None:
    """A DynamicItem missing from DYNAMIC_ITEMS goes dead when the bot restarts."""
    from discord import ui

    from bot.ui import components

    defined = {
        value
        for value in vars(components).values()
        if isinstance(value, type)
        and issubclass(value, ui.DynamicItem)
        and value is not ui.DynamicItem
    }
    assert defined == set(components.DYNAMIC_ITEMS)


def _refused(embed: object) -> list[str]:
    from tests.emulator.limits import message_problems

    return message_problems({"embeds": [embed.to_dict()]})  # type: ignore[attr-defined]


def test_a_ten_card_drill_of_the_longest_cards_fits_one_message() -> None:
    from datetime import UTC, datetime

    from bot.domain import Drill
    from bot.study.drills import CardTally, DrillCard, DrillResults

    cards = [
        Card(id=f"c{n}", question=f"{n} " + "why? " * 300, answer="because " * 437)
        for n in range(10)
    ]
    drill = Drill(1, 1, 2, None, None, 0, 1, None, ())
    post = render.drill_post(
        drill, [DrillCard(n + 1, "d", c) for n, c in enumerate(cards)], datetime.now(UTC)
    )
    assert len(post.fields) == 10
    assert _refused(post) == []
    results = DrillResults(drill, tuple(CardTally(n + 1, c, 3, 2) for n, c in enumerate(cards)), ())
    reveal = render.drill_reveal(results)
    assert len(reveal.fields) == 10
    assert all("2 of 3 got it" in f.value for f in reveal.fields)  # type: ignore[operator]
    assert _refused(reveal) == []
    short = render.drill_post(drill, [DrillCard(1, "d", CARD)], datetime.now(UTC))
    assert "Who pinged" in str(short.fields[0].value)


def test_a_long_deck_list_fits_and_says_how_many_are_left() -> None:
    decks = [Deck(id=f"deck-{n:02d}", name=("Deck " * 20)[:100], cards=(CARD,)) for n in range(60)]
    embed = render.deck_list(decks, set())
    assert _refused(embed) == []
    assert "more" in (embed.description or "").splitlines()[-1]


def test_a_quiz_card_at_the_format_limits_fits() -> None:
    from bot.decks.model import MAX_ANSWER, MAX_HINT, MAX_QUESTION

    huge = Card(id="h", question="*" * MAX_QUESTION, answer="_" * MAX_ANSWER, hint="~" * MAX_HINT)
    deck = Deck(id="d", name="N" * 100, cards=(huge,))
    quiz = QuizRound(1, 1, 2, "d", ("h",), frozenset({"h"}), 0, 0, 0, 0, False)
    assert _refused(render.quiz_card(deck, quiz, huge, hint=True)) == []
