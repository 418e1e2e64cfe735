"""Scheduled drills and sessions in channels: answering through buttons and modals (posting them
is bot/discord_publisher.py's)."""

from __future__ import annotations

import re
from typing import Any

import discord
from discord.ext import commands

from bot.cogs.common import failures_reported, member_of, reply
from bot.domain import AlreadyAnswered
from bot.study.clock import to_ms
from bot.study.drills import DrillClosed, DrillService
from bot.study.sessions import QuestionClosed, SessionService
from bot.ui import render
from bot.ui.components import answer_modal, modal_value


class DrillsCog(commands.Cog, name="Drills"):
    def __init__(self, drills: DrillService, sessions: SessionService) -> None:
        self.drills = drills
        self.sessions = sessions

    @commands.Cog.listener()
    async def on_session_button(
        self, interaction: discord.Interaction, session_id: int, position: int
    ) -> None:
        async with failures_reported(interaction, "session button"):
            assert interaction.guild_id is not None
            try:
                _, card = await self.sessions.open_question(
                    session_id, position, interaction.guild_id
                )
            except QuestionClosed:
                await reply(interaction, "Time is up for this question.")
                return
            except LookupError:
                await reply(interaction, "That session no longer exists.")
                return
            opened = to_ms(self.sessions.clock.now())
            modal = answer_modal("session", session_id, position, opened, card.question)
            await interaction.response.send_modal(modal)
            modal.stop()

    @commands.Cog.listener()
    async def on_drill_button(
        self, interaction: discord.Interaction, drill_id: int, number: int
    ) -> None:
        async with failures_reported(interaction, "drill button"):
            assert interaction.guild_id is not None
            try:
                card = await self.drills.open_card(drill_id, number, interaction.guild_id)
            except DrillClosed:
                await reply(
                    interaction, "This drill has closed; the answers are revealed on the post."
                )
                return
            except LookupError:
                await reply(interaction, "That drill card no longer exists.")
                return
            opened = to_ms(self.drills.clock.now())
            modal = answer_modal("drill", drill_id, number, opened, card.card.question)
            await interaction.response.send_modal(modal)
            modal.stop()

    @commands.Cog.listener()
    async def on_session_answer(
        self, interaction: discord.Interaction, match: re.Match[str]
    ) -> None:
        """A session's answer form submitted (StudyBot.dispatch parsed its id into `match`)."""
        if interaction.guild_id is None:
            return
        data: dict[str, Any] = dict(interaction.data or {})
        await self._session_answer(
            interaction, int(match["ref"]), int(match["position"]), modal_value(data)
        )

    @commands.Cog.listener()
    async def on_drill_answer(self, interaction: discord.Interaction, match: re.Match[str]) -> None:
        """A drill's answer form submitted (StudyBot.dispatch parsed its id into `match`)."""
        if interaction.guild_id is None:
            return
        data: dict[str, Any] = dict(interaction.data or {})
        async with failures_reported(interaction, "drill answer"):
            number = int(match["position"])
            try:
                result = await self.drills.answer(
                    int(match["ref"]),
                    number,
                    member_of(interaction),
                    modal_value(data),
                    attempt_key=f"interaction:{interaction.id}",
                )
            except AlreadyAnswered:
                await reply(interaction, f"You already answered card {number} of this drill.")
                return
            except DrillClosed:
                await reply(interaction, "This drill has closed; your answer came too late.")
                return
            except LookupError:
                await reply(interaction, "That drill no longer exists.")
                return
            await reply(interaction, f"**Card {number}.** {render.verdict_text(result)}")

    async def _session_answer(
        self, interaction: discord.Interaction, session_id: int, position: int, text: str
    ) -> None:
        async with failures_reported(interaction, "session answer"):
            try:
                result = await self.sessions.answer(
                    session_id,
                    position,
                    member_of(interaction),
                    text,
                    attempt_key=f"interaction:{interaction.id}",
                )
            except AlreadyAnswered:
                await reply(interaction, "You already answered this question.")
                return
            except QuestionClosed:
                await reply(
                    interaction, "Time was up for this question; your answer came too late."
                )
                return
            except LookupError:
                await reply(interaction, "That session no longer exists.")
                return
            await reply(interaction, render.verdict_text(result))
