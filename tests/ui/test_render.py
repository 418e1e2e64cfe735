from __future__ import annotations

import io

from PIL import Image

from bot.decks import Card, Deck
from bot.storage.rounds import QuizRound
from bot.storage.stats import DayCounts
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
