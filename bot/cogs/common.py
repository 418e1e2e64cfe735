"""Helpers every cog shares: who is asking, admin checks, replies that never ping, deck choices,
and handlers that turn any failure into a short private message plus a log line."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import discord
from discord import app_commands

from bot.services import Services
from bot.study.practice import Member

log = logging.getLogger("bot.cogs")
NO_MENTIONS = discord.AllowedMentions.none()
ADMIN_ONLY = "You need the **Manage Server** permission to do that."
ALREADY_ACKNOWLEDGED = 40060
FAILED = "Something went wrong on our side; it has been logged. Please try again."


def member_of(interaction: discord.Interaction) -> Member:
    assert interaction.guild_id is not None
    return Member(interaction.guild_id, interaction.user.id, interaction.user.display_name)


async def reply(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
    file: discord.File | None = None,
    ephemeral: bool = True,
) -> None:
    """Answer an interaction, or follow up if it was already answered. Never pings anyone."""
    kwargs: dict[str, Any] = {"ephemeral": ephemeral, "allowed_mentions": NO_MENTIONS}
    if embed is not None:
        kwargs["embed"] = embed
    if view is not None:
        kwargs["view"] = view
    if file is not None:
        kwargs["file"] = file
    if interaction.response.is_done():
        await interaction.followup.send(content or discord.utils.MISSING, **kwargs)
    else:
        await interaction.response.send_message(content, **kwargs)


async def require_admin(interaction: discord.Interaction) -> bool:
    """Checked in code as well as by Discord's default permissions, which server owners can change."""
    permissions = interaction.permissions
    if interaction.guild_id is not None and (permissions.manage_guild or permissions.administrator):
        return True
    await reply(interaction, ADMIN_ONLY)
    return False


@contextlib.asynccontextmanager
async def failures_reported(interaction: discord.Interaction, what: str) -> AsyncIterator[None]:
    """Any exception: a log line with the traceback and a short private message to the member."""
    try:
        yield
    except discord.HTTPException as exc:
        if exc.code == ALREADY_ACKNOWLEDGED:
            log.info(
                "%s: Discord delivered an interaction twice; it was answered the first time", what
            )
            return
        log.exception("%s failed", what)
        await _tell_member(interaction, what)
    except Exception:
        log.exception("%s failed", what)
        await _tell_member(interaction, what)


async def _tell_member(interaction: discord.Interaction, what: str) -> None:
    try:
        await reply(interaction, FAILED)
    except discord.HTTPException:
        log.warning("could not tell the member that %s failed", what)


def deck_choices(
    services: Services, guild_id: int | None, current: str, *, server_only: bool = False
) -> list[app_commands.Choice[str]]:
    if guild_id is None:
        return []
    wanted = current.casefold().strip()
    choices = []
    for deck in services.catalog.for_guild(guild_id):
        if server_only and not services.catalog.is_guild_deck(guild_id, deck.id):
            continue
        if wanted in deck.name.casefold() or wanted in deck.id:
            choices.append(
                app_commands.Choice(
                    name=f"{deck.name} ({len(deck.cards)} cards)"[:100], value=deck.id
                )
            )
    return choices[:25]
