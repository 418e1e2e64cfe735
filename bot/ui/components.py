"""Buttons and modals. Buttons are DynamicItems: their custom_id carries everything needed, so they
work on any message, even after the bot restarts. A click is handed on as a client event
("quiz_button", "claim_button", "review_button") for a cog to handle."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal, cast

import discord
from discord import ui

from bot.grading import MAX_RESPONSE_CHARS
from bot.ui.text import clip

QuizAction = Literal["answer", "hint", "skip", "stop"]
ID = r"\d{1,18}"
"""An id in a custom_id: at most 18 digits, so it always fits SQLite's 64-bit integers."""
ANSWER_FIELD = "answer"
ANSWER_MODAL = re.compile(
    rf"^sb:answer:(?P<context>quiz|drill|session):(?P<ref>{ID}):(?P<position>{ID}):(?P<opened>\d{{1,19}})$"
)


class QuizButton(
    ui.DynamicItem[ui.Button[Any]],
    template=rf"sb:quiz:(?P<round>{ID}):(?P<action>answer|hint|skip|stop):(?P<position>{ID})",
):
    LABELS: ClassVar[dict[str, str]] = {
        "answer": "Answer",
        "hint": "Hint",
        "skip": "Skip",
        "stop": "Stop",
    }
    STYLES: ClassVar[dict[str, discord.ButtonStyle]] = {
        "answer": discord.ButtonStyle.primary,
        "hint": discord.ButtonStyle.secondary,
        "skip": discord.ButtonStyle.secondary,
        "stop": discord.ButtonStyle.danger,
    }

    def __init__(
        self, round_id: int, action: QuizAction, position: int, *, disabled: bool = False
    ) -> None:
        self.round_id, self.action, self.position = round_id, action, position
        super().__init__(
            ui.Button(
                label=self.LABELS[action],
                style=self.STYLES[action],
                custom_id=f"sb:quiz:{round_id}:{action}:{position}",
                disabled=disabled,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: ui.Item[Any], match: re.Match[str]
    ) -> QuizButton:
        return cls(int(match["round"]), cast(QuizAction, match["action"]), int(match["position"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        interaction.client.dispatch(
            "quiz_button", interaction, self.round_id, self.action, self.position
        )


class ClaimButton(ui.DynamicItem[ui.Button[Any]], template=rf"sb:claim:(?P<attempt>{ID})"):
    def __init__(self, attempt_id: int) -> None:
        self.attempt_id = attempt_id
        super().__init__(
            ui.Button(
                label="I was right",
                style=discord.ButtonStyle.success,
                custom_id=f"sb:claim:{attempt_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: ui.Item[Any], match: re.Match[str]
    ) -> ClaimButton:
        return cls(int(match["attempt"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        interaction.client.dispatch("claim_button", interaction, self.attempt_id)


class ReviewButton(
    ui.DynamicItem[ui.Button[Any]],
    template=rf"sb:review:(?P<claim>{ID}):(?P<decision>approve|reject)",
):
    def __init__(self, claim_id: int, decision: str) -> None:
        self.claim_id, self.decision = claim_id, decision
        approve = decision == "approve"
        super().__init__(
            ui.Button(
                label="Approve" if approve else "Reject",
                style=discord.ButtonStyle.success if approve else discord.ButtonStyle.danger,
                custom_id=f"sb:review:{claim_id}:{decision}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: ui.Item[Any], match: re.Match[str]
    ) -> ReviewButton:
        return cls(int(match["claim"]), match["decision"])

    async def callback(self, interaction: discord.Interaction) -> None:
        interaction.client.dispatch(
            "review_button", interaction, self.claim_id, self.decision == "approve"
        )


class DrillButton(
    ui.DynamicItem[ui.Button[Any]], template=rf"sb:drill:(?P<drill>{ID}):(?P<number>{ID})"
):
    def __init__(self, drill_id: int, number: int, *, disabled: bool = False) -> None:
        self.drill_id, self.number = drill_id, number
        super().__init__(
            ui.Button(
                label=f"Answer {number}",
                style=discord.ButtonStyle.primary,
                custom_id=f"sb:drill:{drill_id}:{number}",
                disabled=disabled,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: ui.Item[Any], match: re.Match[str]
    ) -> DrillButton:
        return cls(int(match["drill"]), int(match["number"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        interaction.client.dispatch("drill_button", interaction, self.drill_id, self.number)


class SessionButton(
    ui.DynamicItem[ui.Button[Any]], template=rf"sb:session:(?P<session>{ID}):(?P<position>{ID})"
):
    def __init__(self, session_id: int, position: int) -> None:
        self.session_id, self.position = session_id, position
        super().__init__(
            ui.Button(
                label="Answer",
                style=discord.ButtonStyle.primary,
                custom_id=f"sb:session:{session_id}:{position}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: ui.Item[Any], match: re.Match[str]
    ) -> SessionButton:
        return cls(int(match["session"]), int(match["position"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        interaction.client.dispatch("session_button", interaction, self.session_id, self.position)


def session_view(session_id: int, position: int) -> ui.View:
    view = ui.View(timeout=None)
    view.add_item(SessionButton(session_id, position))
    return view


def drill_view(drill_id: int, numbers: list[int], *, disabled: bool = False) -> ui.View:
    view = ui.View(timeout=None)
    for number in numbers[:25]:
        view.add_item(DrillButton(drill_id, number, disabled=disabled))
    return view


class ReminderButton(
    ui.DynamicItem[ui.Button[Any]], template=r"sb:remind:(?P<guild>\d{1,20}):review"
):
    """Start review, in a reminder's direct message: a /quiz round for the server it came from."""

    def __init__(self, guild_id: int) -> None:
        self.guild_id = guild_id
        super().__init__(
            ui.Button(
                label="Start review",
                style=discord.ButtonStyle.primary,
                custom_id=f"sb:remind:{guild_id}:review",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: ui.Item[Any], match: re.Match[str]
    ) -> ReminderButton:
        return cls(int(match["guild"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        interaction.client.dispatch("reminder_review", interaction, self.guild_id)


def reminder_view(guild_id: int) -> ui.View:
    view = ui.View(timeout=None)
    view.add_item(ReminderButton(guild_id))
    return view


class StaleButton(ui.DynamicItem[ui.Button[Any]], template=r"sb:.*"):
    """Any of our custom_ids that no button above reads (forged, or from a layout long gone): the
    member is told so instead of Discord's bare 'This interaction failed'."""

    def __init__(self, custom_id: str) -> None:
        self.raw_id = custom_id
        super().__init__(ui.Button(label="Gone", custom_id=clip(custom_id, 100), disabled=True))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: ui.Item[Any], match: re.Match[str]
    ) -> StaleButton:
        return cls(match.group(0))

    async def callback(self, interaction: discord.Interaction) -> None:
        if any(item.__discord_ui_compiled_template__.fullmatch(self.raw_id) for item in _READERS):
            return
        await interaction.response.send_message("That button is no longer valid.", ephemeral=True)


_READERS: tuple[type[ui.DynamicItem[Any]], ...] = (
    QuizButton,
    ClaimButton,
    ReviewButton,
    DrillButton,
    SessionButton,
    ReminderButton,
)
DYNAMIC_ITEMS: tuple[type[ui.DynamicItem[Any]], ...] = (*_READERS, StaleButton)


def quiz_view(
    round_id: int, position: int, *, claim_attempt: int | None = None, hint: bool = True
) -> ui.View:
    view = ui.View(timeout=None)
    actions: tuple[QuizAction, ...] = ("answer", "hint", "skip", "stop")
    for action in actions:
        if action == "hint" and not hint:
            continue
        view.add_item(QuizButton(round_id, action, position))
    if claim_attempt is not None:
        view.add_item(ClaimButton(claim_attempt))
    return view


def claim_view(attempt_id: int) -> ui.View:
    view = ui.View(timeout=None)
    view.add_item(ClaimButton(attempt_id))
    return view


def review_view(claim_id: int) -> ui.View:
    view = ui.View(timeout=None)
    view.add_item(ReviewButton(claim_id, "approve"))
    view.add_item(ReviewButton(claim_id, "reject"))
    return view


def answer_modal(context: str, ref: int, position: int, opened_ms: int, question: str) -> ui.Modal:
    """The answer form. Its submission is handled by the custom_id (see ANSWER_MODAL), not by this
    object, so an answer typed across a restart of the bot still counts."""
    modal = ui.Modal(
        title="Your answer", custom_id=f"sb:answer:{context}:{ref}:{position}:{opened_ms}"
    )
    modal.add_item(
        ui.TextInput(
            label="Answer",
            custom_id=ANSWER_FIELD,
            style=discord.TextStyle.paragraph,
            placeholder=clip(question, 100),
            max_length=MAX_RESPONSE_CHARS,
            required=True,
        )
    )
    return modal


def modal_value(data: dict[str, Any], field: str = ANSWER_FIELD) -> str:
    """A text field's value from a modal submission's raw data."""
    for row in data.get("components", []):
        for component in row.get("components", [row]):
            if component.get("custom_id") == field:
                return str(component.get("value", ""))
    return ""
