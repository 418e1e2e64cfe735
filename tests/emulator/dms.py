"""Direct messages for the emulator: DM channels (`POST /users/@me/channels`), interactions in a DM
(no guild: a `user` instead of a `member`), Discord's 50007 "Cannot send messages to this user"
for a member who closed their DMs or shares no server with the bot, and `GET
/guilds/{guild}/members/{user}` (10007 "Unknown Member" for one who left).

A subclass, so the tests that need DMs ask for it (`DiscordEmulatorWithDMs`) and the rest of the
emulator stays as it is; everything else (limits, rate limits, nonces, the 3 s deadline) is the
base emulator's, applied to DM channels like any other."""

from __future__ import annotations

from typing import Any

import discord
from aiohttp import web

from tests.emulator.server import ALL_PERMISSIONS, JSON, DiscordEmulator, InteractionHandle

CANNOT_MESSAGE_USER = 50007
UNKNOWN_MEMBER = 10007
SEND = discord.Permissions(send_messages=True).value


class DiscordEmulatorWithDMs(DiscordEmulator):
    def __init__(self) -> None:
        self.dms_closed: set[int] = set()
        """Users who do not take direct messages from the bot (their privacy settings)."""
        self._dm_channels: dict[int, int] = {}
        self.dm_channels: dict[int, JSON] = {}
        """DM channels by id (apart from the servers' channels, which have a guild)."""
        super().__init__()

    # ----------------------------------------------------------------- the model

    def close_dms(self, user_id: int) -> None:
        self.dms_closed.add(user_id)

    def open_dms(self, user_id: int) -> None:
        self.dms_closed.discard(user_id)

    def remove_member(self, guild_id: int, user_id: int) -> None:
        """The member leaves the server (the bot has no members intent: no event is sent)."""
        self.model.members[guild_id].pop(user_id, None)

    def dm_channel(self, user_id: int) -> int | None:
        return self._dm_channels.get(user_id)

    def direct_messages(self, user_id: int) -> list[JSON]:
        """The bot's messages in its DM channel with the user, oldest first."""
        channel = self._dm_channels.get(user_id)
        return [] if channel is None else self.channel_messages(channel)

    def _shares_a_server(self, user_id: int) -> bool:
        return any(
            user_id in members and self.bot_user_id in members
            for members in self.model.members.values()
        )

    def _dm_recipient(self, channel_id: int) -> int | None:
        channel = self.dm_channels.get(channel_id)
        if channel is None:
            return None
        return int(channel["recipients"][0]["id"])

    # ----------------------------------------------------------------- REST

    def _install_routes(self) -> None:
        super()._install_routes()
        route = self._route

        @route("POST", "/users/@me/channels")
        async def open_dm(call: Any) -> web.Response:
            body = call.json or {}
            try:
                user_id = int(body.get("recipient_id"))
            except (TypeError, ValueError):
                return self._refuse(call, ["recipient_id: a snowflake is required"]) or (
                    self._error(400, 50035, "Invalid Form Body")
                )
            user = self.model.users.get(user_id)
            if user is None:
                return self._refuse(call, [f"recipient_id: unknown user {user_id}"]) or (
                    self._error(400, 50035, "Invalid Form Body")
                )
            channel_id = self._dm_channels.get(user_id)
            if channel_id is None:
                channel_id = self.new_id()
                self._dm_channels[user_id] = channel_id
                self.dm_channels[channel_id] = {
                    "id": str(channel_id),
                    "type": 1,
                    "last_message_id": None,
                    "recipients": [user],
                    "flags": 0,
                }
            return self._json(self.dm_channels[channel_id])

        @route("GET", r"/guilds/(?P<guild>\d+)/members/(?P<user>\d+)")
        async def get_member(call: Any, guild: str, user: str) -> web.Response:
            members = self.model.members.get(int(guild))
            if members is None:
                return self._error(404, 10004, "Unknown Guild")
            member = members.get(int(user))
            if member is None:
                return self._error(404, UNKNOWN_MEMBER, "Unknown Member")
            return self._json({k: v for k, v in member.items() if k != "permissions"})

    def _channel_problem(self, channel_id: int, needed: int) -> web.Response | None:
        recipient = self._dm_recipient(channel_id)
        if recipient is None:
            return super()._channel_problem(channel_id, needed)
        if needed & SEND and (recipient in self.dms_closed or not self._shares_a_server(recipient)):
            return self._error(403, CANNOT_MESSAGE_USER, "Cannot send messages to this user")
        return None

    def _new_message(
        self, channel_id: int, data: JSON, *, interaction: InteractionHandle | None = None
    ) -> JSON:
        if interaction is None or "member" in interaction.payload:
            return super()._new_message(channel_id, data, interaction=interaction)
        message = super()._new_message(channel_id, data)
        message.update(
            {
                "type": 20,
                "webhook_id": str(self.application_id),
                "application_id": str(self.application_id),
                "interaction_user": interaction.payload["user"]["id"],
            }
        )
        return message

    # ----------------------------------------------------------------- interactions

    async def _inject_dm(
        self, kind: int, channel_id: int, user_id: int, data: JSON, message: JSON | None = None
    ) -> InteractionHandle:
        """An interaction in the bot's DM with the user: no guild_id and no member, as Discord
        sends it."""
        if self._dm_recipient(channel_id) != user_id:
            raise LookupError(f"channel {channel_id} is not the bot's DM with user {user_id}")
        interaction_id = self.new_id()
        payload: JSON = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": kind,
            "data": data,
            "channel_id": str(channel_id),
            "channel": self.dm_channels[channel_id],
            "user": self.model.users[user_id],
            "token": f"token-{interaction_id}",
            "version": 1,
            "attachment_size_limit": 10 * 1024 * 1024,
            "app_permissions": str(ALL_PERMISSIONS),
            "locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": "0"},
            "context": 1,
        }
        if message is not None:
            payload["message"] = message
        handle = InteractionHandle(
            interaction_id, payload["token"], payload, self.now(), len(self.calls)
        )
        self.interactions[interaction_id] = handle
        await self.dispatch("INTERACTION_CREATE", payload)
        return handle

    async def click(self, message_id: int, custom_id: str, *, user_id: int) -> InteractionHandle:
        """A click on a button, in a server's channel or in a DM."""
        message = self.model.messages[message_id]
        if message.get("guild_id") is not None:
            return await super().click(message_id, custom_id, user_id=user_id)
        present = {
            c.get("custom_id") for row in message.get("components") or [] for c in row["components"]
        }
        if custom_id not in present:
            raise LookupError(f"message {message_id} has no button {custom_id!r} any more")
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._inject_dm(3, int(message["channel_id"]), user_id, data, message=message)

    async def submit_dm_modal(
        self,
        custom_id: str,
        values: dict[str, str],
        *,
        user_id: int,
        message_id: int | None = None,
    ) -> InteractionHandle:
        """A modal submitted in the bot's DM with the user."""
        channel_id = self._dm_channels[user_id]
        rows = [
            {"type": 1, "components": [{"type": 4, "custom_id": key, "value": value}]}
            for key, value in values.items()
        ]
        message = self.model.messages.get(message_id) if message_id else None
        return await self._inject_dm(
            5, channel_id, user_id, {"custom_id": custom_id, "components": rows}, message=message
        )
