"""A member's own data: what the bot keeps about them in a server, and forgetting it."""

from __future__ import annotations

from bot.domain import MemberData
from bot.repositories import Store


class PrivacyService:
    def __init__(self, storage: Store) -> None:
        self.storage = storage

    async def show(self, guild_id: int, user_id: int) -> MemberData:
        return await self.storage.privacy.member(guild_id, user_id)

    async def forget(self, guild_id: int, user_id: int) -> int:
        """Delete the member's answers, review schedule, quiz rounds, claims and name in this
        server; leaderboards and stats recompute without them. Returns the answers deleted."""
        return await self.storage.privacy.forget(guild_id, user_id)
