"""/leaderboard and /stats."""

from __future__ import annotations

import io
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.common import deck_choices, reply
from bot.services import Services
from bot.ui import render
from bot.ui.chart import activity_chart


class ProgressCog(commands.Cog, name="Progress"):
    def __init__(self, services: Services) -> None:
        self.services = services

    async def _deck_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return deck_choices(self.services, interaction.guild_id, current)

    @app_commands.command(
        name="leaderboard", description="Top members by points, in this server's time zone"
    )
    @app_commands.guild_only()
    @app_commands.describe(deck="Only this deck", period="Which period (default: this week)")
    @app_commands.autocomplete(deck=_deck_autocomplete)
    async def leaderboard(
        self,
        interaction: discord.Interaction,
        deck: str | None = None,
        period: Literal["day", "week", "month", "all"] = "week",
    ) -> None:
        assert interaction.guild_id is not None
        found = self.services.catalog.get(interaction.guild_id, deck) if deck else None
        if deck and found is None:
            await reply(interaction, "There is no such deck. See /decks list.")
            return
        board = await self.services.stats.leaderboard(interaction.guild_id, period, deck)
        await reply(interaction, embed=render.leaderboard(board, found), ephemeral=False)

    @app_commands.command(
        name="stats", description="Answers, accuracy, streaks and cards to work on"
    )
    @app_commands.guild_only()
    @app_commands.describe(member="Whose stats (default: yours)")
    async def stats(
        self, interaction: discord.Interaction, member: discord.Member | None = None
    ) -> None:
        assert interaction.guild_id is not None
        who = member or interaction.user
        stats = await self.services.stats.member(interaction.guild_id, who.id)
        chart = discord.File(io.BytesIO(activity_chart(stats.daily)), filename="activity.png")
        await reply(interaction, embed=render.member_stats(who.display_name, stats), file=chart)
