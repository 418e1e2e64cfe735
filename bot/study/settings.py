"""Server settings an admin changes: the time zone and the daily limit of new cards."""

from __future__ import annotations

from bot.repositories import Store
from bot.study.clock import Clock, to_ms
from bot.study.periods import zone


class SettingsService:
    def __init__(self, storage: Store, clock: Clock) -> None:
        self.storage = storage
        self.clock = clock

    async def set_timezone(self, guild_id: int, name: str) -> None:
        """Raises UnknownTimezone for a name that is not an IANA zone."""
        zone(name)
        await self.storage.guilds.set_timezone(guild_id, name, to_ms(self.clock.now()))

    async def set_new_cards_per_day(self, guild_id: int, count: int) -> None:
        """Raises ValueError outside 0..MAX_NEW_CARDS_PER_DAY."""
        await self.storage.guilds.set_new_cards_per_day(guild_id, count, to_ms(self.clock.now()))
