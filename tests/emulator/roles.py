"""Roles for the emulator: a server's roles in its GUILD_CREATE (an @everyone without Manage Roles,
and the bot's own managed role), roles an admin makes or moves (GUILD_ROLE_CREATE /
GUILD_ROLE_UPDATE, so the client's view follows), role options in slash commands, and giving and
taking roles (`PUT` / `DELETE /guilds/{guild}/members/{user}/roles/{role}`) with Discord's checks:
403 with 50013 "Missing Permissions" when the bot lacks Manage Roles or the role is at or above the
bot's highest role, 404 with 10011 "Unknown Role" or 10007 "Unknown Member". Members' roles are in
their member objects (interactions, `GET /guilds/{guild}/members/{user}`).

A subclass of the DM emulator, so the tests that need roles ask for it and the rest stays as is."""

from __future__ import annotations

from typing import Any

import discord
from aiohttp import web

from tests.emulator.dms import UNKNOWN_MEMBER, DiscordEmulatorWithDMs
from tests.emulator.server import JSON, RecordedCall

MISSING_PERMISSIONS = 50013
UNKNOWN_ROLE = 10011
MANAGE_ROLES = discord.Permissions(manage_roles=True).value
ADMINISTRATOR = discord.Permissions(administrator=True).value
EVERYONE = (discord.Permissions.general().value | discord.Permissions.text().value) & ~(
    MANAGE_ROLES | ADMINISTRATOR
)
"""What @everyone may do: the base emulator's, less Manage Roles (as on a new Discord server)."""


def _role(role_id: int, name: str, position: int, permissions: int, *, bot_id: int | None) -> JSON:
    role: JSON = {
        "id": str(role_id),
        "name": name,
        "permissions": str(permissions),
        "position": position,
        "color": 0,
        "hoist": False,
        "managed": bot_id is not None,
        "mentionable": False,
        "flags": 0,
    }
    if bot_id is not None:
        role["tags"] = {"bot_id": str(bot_id)}
    return role


class DiscordEmulatorWithRoles(DiscordEmulatorWithDMs):
    def __init__(self) -> None:
        self.roles: dict[int, dict[int, JSON]] = {}
        """Each server's roles by id (@everyone's id is the server's)."""
        self.bot_roles: dict[int, int] = {}
        """The bot's own managed role on each server."""
        super().__init__()

    # ----------------------------------------------------------------- the model

    def _ensure_roles(self, guild_id: int) -> dict[int, JSON]:
        roles = self.roles.get(guild_id)
        if roles is None:
            bot_role = self.new_id()
            roles = {
                guild_id: _role(guild_id, "@everyone", 0, EVERYONE, bot_id=None),
                bot_role: _role(bot_role, "StudyTutor", 1, MANAGE_ROLES, bot_id=self.bot_user_id),
            }
            self.roles[guild_id] = roles
            self.bot_roles[guild_id] = bot_role
        return roles

    def _add_member_record(self, guild_id: int, user_id: int, permissions: int) -> None:
        super()._add_member_record(guild_id, user_id, permissions)
        if user_id == self.bot_user_id:
            self._ensure_roles(guild_id)
            self.model.members[guild_id][user_id]["roles"] = [str(self.bot_roles[guild_id])]

    def _guild_payload(self, guild_id: int) -> JSON:
        payload = super()._guild_payload(guild_id)
        payload["roles"] = list(self._ensure_roles(guild_id).values())
        return payload

    async def _announce(self, event: str, guild_id: int, role: JSON) -> None:
        """Sent before the change's method returns, so the client sees it before anything a
        test injects next."""
        if self._identified:
            await self.dispatch(event, {"guild_id": str(guild_id), "role": dict(role)})

    async def add_role(self, guild_id: int, name: str, *, position: int = 1) -> int:
        """A role an admin made, at `position` (default 1: just above @everyone, below the
        bot's role); the roles at or above it move up one, as in Discord."""
        roles = self._ensure_roles(guild_id)
        role_id = self.new_id()
        for other in roles.values():
            if other["position"] >= position and other["id"] != str(guild_id):
                other["position"] += 1
                await self._announce("GUILD_ROLE_UPDATE", guild_id, other)
        roles[role_id] = _role(role_id, name, position, 0, bot_id=None)
        await self._announce("GUILD_ROLE_CREATE", guild_id, roles[role_id])
        return role_id

    async def move_role(self, guild_id: int, role_id: int, position: int) -> None:
        role = self._ensure_roles(guild_id)[role_id]
        role["position"] = position
        await self._announce("GUILD_ROLE_UPDATE", guild_id, role)

    async def set_bot_permissions(self, guild_id: int, permissions: int) -> None:
        """What the bot's own role allows (e.g. 0 to take Manage Roles away)."""
        role = self._ensure_roles(guild_id)[self.bot_roles[guild_id]]
        role["permissions"] = str(permissions)
        await self._announce("GUILD_ROLE_UPDATE", guild_id, role)

    def member_roles(self, guild_id: int, user_id: int) -> set[int]:
        return {int(r) for r in self.model.members[guild_id][user_id]["roles"]}

    def _bot_can_manage(self, guild_id: int, role: JSON) -> bool:
        roles = self._ensure_roles(guild_id)
        mine = [roles[int(r)] for r in self.model.members[guild_id][self.bot_user_id]["roles"]]
        allowed = int(roles[guild_id]["permissions"])
        for own in mine:
            allowed |= int(own["permissions"])
        if not allowed & (MANAGE_ROLES | ADMINISTRATOR):
            return False
        top = max((int(own["position"]) for own in mine), default=0)
        return int(role["position"]) < top and not role["managed"]

    # ----------------------------------------------------------------- REST

    def _install_routes(self) -> None:
        super()._install_routes()
        route = self._route
        path = r"/guilds/(?P<guild>\d+)/members/(?P<user>\d+)/roles/(?P<role>\d+)"

        async def change(call: RecordedCall, guild: str, user: str, role: str) -> web.Response:
            guild_id, user_id, role_id = int(guild), int(user), int(role)
            members = self.model.members.get(guild_id)
            if members is None:
                return self._error(404, 10004, "Unknown Guild")
            found = self._ensure_roles(guild_id).get(role_id)
            if found is None or role_id == guild_id:
                return self._error(404, UNKNOWN_ROLE, "Unknown Role")
            member = members.get(user_id)
            if member is None:
                return self._error(404, UNKNOWN_MEMBER, "Unknown Member")
            if not self._bot_can_manage(guild_id, found):
                return self._error(403, MISSING_PERMISSIONS, "Missing Permissions")
            held = [r for r in member["roles"] if r != role]
            member["roles"] = [*held, role] if call.method == "PUT" else held
            return web.Response(status=204)

        route("PUT", path)(change)
        route("DELETE", path)(change)

    # ----------------------------------------------------------------- interactions

    def _options(
        self, schema: list[JSON], values: dict[str, Any], resolved: JSON, guild_id: int
    ) -> list[JSON]:
        """Role options (type 8) carry the role in `resolved`, as Discord sends them."""
        plain: dict[str, Any] = {}
        options: list[JSON] = []
        for name, value in values.items():
            spec = next((o for o in schema if o["name"] == name), None)
            if spec is not None and spec["type"] == 8:
                role = self._ensure_roles(guild_id)[int(value)]
                resolved.setdefault("roles", {})[str(value)] = dict(role)
                options.append({"name": name, "type": 8, "value": str(value)})
            else:
                plain[name] = value
        return [*options, *super()._options(schema, plain, resolved, guild_id)]
