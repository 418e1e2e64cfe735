"""/decks list, info, import and remove."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.common import deck_choices, reply, require_admin
from bot.decks import DeckError
from bot.services import Services
from bot.study.admin import MAX_UPLOAD_BYTES
from bot.study.catalog import DuplicateDeck
from bot.ui import render


@app_commands.guild_only()
class DecksCog(commands.GroupCog, group_name="decks", group_description="Browse and manage decks"):
    def __init__(self, services: Services) -> None:
        self.services = services
        super().__init__()

    async def _deck_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return deck_choices(self.services, interaction.guild_id, current)

    async def _server_deck_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return deck_choices(self.services, interaction.guild_id, current, server_only=True)

    @app_commands.command(name="list", description="All decks this server can study")
    async def list_decks(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        decks = self.services.catalog.for_guild(interaction.guild_id)
        own = {
            d.id for d in decks if self.services.catalog.is_guild_deck(interaction.guild_id, d.id)
        }
        await reply(interaction, embed=render.deck_list(decks, own))

    @app_commands.command(name="info", description="About one deck")
    @app_commands.autocomplete(deck=_deck_autocomplete)
    async def info(self, interaction: discord.Interaction, deck: str) -> None:
        assert interaction.guild_id is not None
        found = self.services.catalog.get(interaction.guild_id, deck)
        if found is None:
            await reply(interaction, "There is no such deck. See /decks list.")
            return
        server_deck = self.services.catalog.is_guild_deck(interaction.guild_id, deck)
        await reply(interaction, embed=render.deck_info(found, server_deck=server_deck))

    @app_commands.command(
        name="import",
        description="Add a deck for this server from a file (TOML, CSV/TSV, .apkg, text)",
    )
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.describe(
        file="A deck file: TOML, Anki/Quizlet CSV or TSV, Anki .apkg, or pasted text"
    )
    async def import_deck(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        if not await require_admin(interaction):
            return
        assert interaction.guild_id is not None
        if file.size > MAX_UPLOAD_BYTES:
            await reply(
                interaction, f"That file is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB."
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await file.read()
        try:
            deck, warnings = await self.services.admin.import_upload(
                interaction.guild_id, file.filename, data, interaction.user.id
            )
        except DeckError as exc:
            await reply(interaction, render.import_failed([str(p) for p in exc.problems]))
            return
        except DuplicateDeck as exc:
            await reply(interaction, str(exc))
            return
        await reply(interaction, render.import_done(deck, warnings))

    @app_commands.command(name="remove", description="Remove a deck this server imported")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.autocomplete(deck=_server_deck_autocomplete)
    async def remove(self, interaction: discord.Interaction, deck: str) -> None:
        if not await require_admin(interaction):
            return
        assert interaction.guild_id is not None
        if await self.services.admin.remove(interaction.guild_id, deck):
            await reply(
                interaction,
                f"Removed the deck `{discord.utils.escape_markdown(deck)}` from this server.",
            )
        else:
            await reply(
                interaction,
                "Only decks imported on this server can be removed, and that is not one.",
            )
