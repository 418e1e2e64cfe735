"""StudyBot: the discord.py client, its lifecycle and wiring."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.cogs.claims import ClaimsCog
from bot.cogs.common import FAILED, reply
from bot.cogs.decks import DecksCog
from bot.cogs.drills import DrillsCog
from bot.cogs.privacy import PrivacyCog
from bot.cogs.progress import ProgressCog
from bot.cogs.quiz import QuizCog
from bot.cogs.recaps import DiscordRecapPoster, RecapsCog
from bot.cogs.remind import DiscordMessenger, RemindCog
from bot.cogs.rewards import DiscordRoleManager, RewardsCog
from bot.cogs.schedule import ScheduleCog, SettingsCog
from bot.config import Settings
from bot.decks import Card, Deck, load_library
from bot.discord_publisher import DiscordPublisher
from bot.grading import prepare
from bot.ratelimit import ChannelBuckets
from bot.scheduler import ScheduleRunner
from bot.services import Services
from bot.storage import Storage
from bot.study.catalog import DeckCatalog
from bot.study.clock import Clock, SystemClock, to_ms
from bot.study.grading_process import Grader, ProcessGrader, ThreadGrader
from bot.study.scheduling import SchedulerService
from bot.ui.components import ANSWER_MODAL, DYNAMIC_ITEMS

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


_start_up_frozen = False


def _freeze_start_up_heap() -> None:
    """Once per process, after start-up: collect, then move everything alive (the decks, their
    compiled references, the grader's tables, discord.py and our modules) to the collector's
    permanent generation, so that a full collection scans only what came later. Measured on a
    burst of 500 answers: full collections took 100-160 ms a pass over the start-up heap, and
    one or two passes fell in every burst. Frozen objects are never collected; start-up's heap
    lives as long as the process anyway."""
    global _start_up_frozen
    if _start_up_frozen:
        return
    _start_up_frozen = True
    gc.collect()
    gc.freeze()


def _prepare_all(decks: Iterable[Deck]) -> None:
    """Compile every card and embed its reference texts before the first answer arrives."""
    for deck in decks:
        prepare(deck)


class StudyBot(commands.Bot):
    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        run_scheduler: bool = True,
        **options: Any,
    ) -> None:
        self.channel_buckets = ChannelBuckets()
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=bot_intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            **options,
        )
        self.channel_buckets.watch(self.http)
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self._services: Services | None = None
        self._scheduler: SchedulerService | None = None
        self.run_scheduler = run_scheduler
        self.runner: ScheduleRunner | None = None

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        """Events as discord.py dispatches them, and an answer form's submission also as
        `quiz_answer`, `drill_answer` or `session_answer` (the interaction and the parsed form
        id): each listener costs a task per event, and the form has one listener, where every
        cog listening to all interactions took a task for each answer."""
        super().dispatch(event_name, *args, **kwargs)
        if event_name == "interaction":
            interaction: discord.Interaction = args[0]
            if interaction.type is discord.InteractionType.modal_submit:
                data: dict[str, Any] = dict(interaction.data or {})
                form = ANSWER_MODAL.match(str(data.get("custom_id", "")))
                if form is not None:
                    super().dispatch(f"{form['context']}_answer", interaction, form)

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("the bot is not set up yet")
        return self._services

    @property
    def scheduler(self) -> SchedulerService:
        if self._scheduler is None:
            raise RuntimeError("the bot is not set up yet")
        return self._scheduler

    async def rearm(self) -> None:
        if self.runner is not None:
            await self.runner.rearm()

    def _picture(self, guild_id: int, deck_id: str, card: Card) -> Path | None:
        deck = self.services.catalog.get(guild_id, deck_id)
        return deck.image_path(card) if deck is not None else None

    async def setup_hook(self) -> None:
        grading = asyncio.create_task(self._grader())  # the child starts while decks load
        storage = await Storage.open(
            self.settings.database,
            now_ms=to_ms(self.clock.now()),
            writer_process=self.settings.writer_process,
        )
        library = await asyncio.to_thread(load_library, self.settings.decks_dir)
        prepared = asyncio.create_task(asyncio.to_thread(_prepare_all, library.decks.values()))
        grader = await grading
        for deck in library.decks.values():
            # The child compiles them too, while this process does: both are done before the
            # bot goes online, and no first answer waits behind a deck's compilation.
            grader.expect(deck)
        await prepared
        for problem in library.problems:
            log.warning("deck problem: %s", problem)
        self._services = Services.build(storage, DeckCatalog(library), self.clock, grader)
        for line in await self._services.admin.load_saved():
            log.warning("server deck problem: %s", line)
        log.info("loaded %d decks from %s", len(library), self.settings.decks_dir)
        publisher = DiscordPublisher(self, buckets=self.channel_buckets, pictures=self._picture)
        self._scheduler = SchedulerService(
            storage,
            self._services.catalog,
            self._services.drills,
            self._services.sessions,
            self.clock,
            publisher,
            grace=timedelta(minutes=self.settings.grace_minutes),
            owns_guild=self.settings.shards.owns if self.settings.shards else None,
        )
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        for cog in (
            QuizCog(self._services),
            ProgressCog(self._services),
            DecksCog(self._services),
            ClaimsCog(self._services),
            DrillsCog(self._services.drills, self._services.sessions),
            ScheduleCog(self._services, self._scheduler),
            SettingsCog(self._services, self._scheduler),
            PrivacyCog(self._services),
            RemindCog(self._services, DiscordMessenger(self), run_loop=self.run_scheduler),
            RewardsCog(self._services, DiscordRoleManager(self), run_loop=self.run_scheduler),
            RecapsCog(
                self._services, DiscordRecapPoster(self, publisher), run_loop=self.run_scheduler
            ),
        ):
            await self.add_cog(cog)
        self.tree.error(self.on_app_command_error)
        await self.sync_commands()
        _freeze_start_up_heap()
        if self.run_scheduler:
            self.runner = ScheduleRunner(self._scheduler)
            await self.runner.start()

    async def _grader(self) -> Grader:
        if not self.settings.grading_process:
            return ThreadGrader()
        grader = ProcessGrader()
        await grader.start()
        return grader

    async def sync_commands(self) -> None:
        if self.settings.dev_guild_id:
            guild = discord.Object(id=self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        else:
            synced = await self.tree.sync()
        log.info("synced %d slash commands", len(synced))

    async def on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        if isinstance(error, app_commands.NoPrivateMessage):
            message = "This command only works in a server."
        elif isinstance(error, app_commands.MissingPermissions):
            message = "You need the **Manage Server** permission to do that."
        else:
            log.error(
                "command %s failed",
                interaction.command and interaction.command.qualified_name,
                exc_info=error,
            )
            message = FAILED
        try:
            await reply(interaction, message)
        except discord.HTTPException:
            log.warning("could not report a command failure to the member")

    async def close(self) -> None:
        """Stop scheduling, disconnect, then let pending writes finish and close the database.
        Safe to call more than once."""
        if self.runner is not None:
            self.runner.shutdown()
        try:
            await super().close()
        finally:
            if self._services is not None:
                await self._services.study.grader.close()
                await self._services.storage.close()


class ShardedStudyBot(StudyBot, commands.AutoShardedBot):
    """The bot running the shards SHARD_COUNT and SHARD_IDS name (one gateway connection each),
    scheduling only their servers (see bot/shards.py)."""

    def __init__(self, settings: Settings, **options: Any) -> None:
        if settings.shards is None:
            raise ValueError("a sharded bot needs SHARD_COUNT")
        super().__init__(
            settings,
            shard_count=settings.shards.count,
            shard_ids=list(settings.shards.ids),
            **options,
        )


def make_bot(settings: Settings, **options: Any) -> StudyBot:
    """The bot these settings ask for: sharded when SHARD_COUNT is set, else one connection."""
    if settings.shards is not None:
        return ShardedStudyBot(settings, **options)
    return StudyBot(settings, **options)


async def run_bot(settings: Settings, token: str) -> None:
    """Run until Ctrl-C or SIGTERM, then close cleanly: pending writes finish, the database closes."""
    point_at_endpoints(settings)
    bot = make_bot(settings)
    if settings.shards is not None:
        log.info(
            "running shards %s of %d",
            ", ".join(map(str, settings.shards.ids)),
            settings.shards.count,
        )
    loop = asyncio.get_running_loop()
    closing: list[asyncio.Task[None]] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(
                signum, lambda: closing.append(asyncio.create_task(bot.close()))
            )
    try:
        await bot.start(token)
    finally:
        for task in closing:
            await task
        await bot.close()
