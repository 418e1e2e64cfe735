"""/privacy: a member sees what the bot keeps about them and can delete it; an admin can remove a
member's data from the server."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.common import reply, require_admin
from bot.services import Services
from bot.ui import render
from bot.ui.text import safe


class PrivacyCog(commands.GroupCog, group_name="privacy", group_description="Your data here"):
    def __init__(self, services: Services) -> None:
        self.services = services

    @app_commands.command(name="show", description="What the bot keeps about you in this server")
    @app_commands.guild_only()
    async def show(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        data = await self.services.privacy.show(interaction.guild_id, interaction.user.id)
        await reply(interaction, embed=render.member_data(data))

    @app_commands.command(
        name="forget", description="Delete your answers, progress and name in this server"
    )
    @app_commands.guild_only()
    @app_commands.describe(confirm="Set to True to delete: this cannot be undone")
    async def forget(self, interaction: discord.Interaction, confirm: bool = False) -> None:
        assert interaction.guild_id is not None
        if not confirm:
            await reply(
                interaction,
                "This deletes your answers, review schedule, quiz rounds and claims in this server, "
                "for good. Run `/privacy forget confirm:True` to go ahead.",
            )
            return
        removed = await self.services.privacy.forget(interaction.guild_id, interaction.user.id)
        await reply(interaction, f"Done: {removed} answers and everything linked to them are gone.")

    @app_commands.command(name="remove", description="Admins: delete a member's data here")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.describe(member="The member whose data to delete")
    async def remove(self, interaction: discord.Interaction, member: discord.User) -> None:
        if not await require_admin(interaction):
            return
        assert interaction.guild_id is not None
        removed = await self.services.privacy.forget(interaction.guild_id, member.id)
        await reply(
            interaction,
            f"Removed {safe(member.display_name, 80)}'s data: {removed} answers.",
        )
