"""/claims review: admins approve or reject "I was right" claims."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.common import failures_reported, reply, require_admin
from bot.domain import Claim
from bot.services import Services
from bot.ui import render
from bot.ui.components import review_view


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class ClaimsCog(commands.GroupCog, group_name="claims", group_description="Review members' claims"):
    def __init__(self, services: Services) -> None:
        self.services = services
        super().__init__()

    async def _render(
        self, guild_id: int, claim: Claim | None
    ) -> tuple[str | None, discord.Embed | None, discord.ui.View | None]:
        if claim is None:
            return "No claims are waiting for review.", None, None
        deck = self.services.catalog.get(guild_id, claim.attempt.deck_id)
        card = None
        if deck is not None:
            try:
                card = deck.card(claim.attempt.card_id)
            except KeyError:
                card = None
        pending = await self.services.admin.pending_count(guild_id)
        return None, render.claim_review(claim, card, pending), review_view(claim.id)

    @app_commands.command(name="review", description="Approve or reject the oldest waiting claim")
    async def review(self, interaction: discord.Interaction) -> None:
        if not await require_admin(interaction):
            return
        assert interaction.guild_id is not None
        content, embed, view = await self._render(
            interaction.guild_id, await self.services.admin.next_claim(interaction.guild_id)
        )
        await reply(interaction, content, embed=embed, view=view)

    @commands.Cog.listener()
    async def on_review_button(
        self, interaction: discord.Interaction, claim_id: int, approve: bool
    ) -> None:
        async with failures_reported(interaction, "claim review"):
            if not await require_admin(interaction):
                return
            assert interaction.guild_id is not None
            await self.services.admin.decide(
                interaction.guild_id, claim_id, approve=approve, admin_id=interaction.user.id
            )
            content, embed, view = await self._render(
                interaction.guild_id, await self.services.admin.next_claim(interaction.guild_id)
            )
            await interaction.response.edit_message(
                content=content,
                embed=embed,
                view=view,
                allowed_mentions=discord.AllowedMentions.none(),
            )
