"""StudyBot: the discord.py client, its lifecycle and wiring."""

from __future__ import annotations

import logging

import discord
import yarl
from discord.ext import commands

from bot.config import Settings
from bot.decks import DeckLibrary, load_library

log = logging.getLogger(__name__)


def bot_intents() -> discord.Intents:
    """Only the guilds intent: answers arrive through interactions, so no privileged intent."""
    intents = discord.Intents.none()
    intents.guilds = True
    return intents


def point_at_endpoints(settings: Settings) -> None:
    """Send REST and gateway traffic to a proxy or a local emulator instead of Discord when asked."""
    if settings.api_base:
        discord.http.Route.BASE = settings.api_base.rstrip("/")
    if settings.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


class StudyBot(commands.Bot):
    def __init__(self, settings: Settings) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=bot_intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
        )
        self.settings = settings
        self.library = DeckLibrary()

    async def setup_hook(self) -> None:
        self.library = load_library(self.settings.decks_dir)
        for problem in self.library.problems:
            log.warning("deck problem: %s", problem)
        log.info("loaded %d decks from %s", len(self.library), self.settings.decks_dir)
