"""The emulator's in-memory Discord: users, guilds, roles, channels, members, messages, commands.

Everything here is plain data plus the payload shapes discord.py parses (see discord/guild.py,
discord/member.py, discord/channel.py, discord/message.py, discord/role.py).
"""

from __future__ import annotations

import copy
import itertools
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import discord

JSON = dict[str, Any]

ALL_PERMISSIONS = discord.Permissions.all().value
ADMINISTRATOR = discord.Permissions(administrator=True).value
VIEW_CHANNEL = discord.Permissions(view_channel=True).value
SEND_MESSAGES = discord.Permissions(send_messages=True).value
READ_MESSAGE_HISTORY = discord.Permissions(read_message_history=True).value
ATTACH_FILES = discord.Permissions(attach_files=True).value
MANAGE_MESSAGES = discord.Permissions(manage_messages=True).value
MENTION_EVERYONE = discord.Permissions(mention_everyone=True).value
SEND_DEPENDENT = discord.Permissions(
    send_tts_messages=True, mention_everyone=True, attach_files=True, embed_links=True
).value
EVERYONE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    read_message_history=True,
    embed_links=True,
    attach_files=True,
    add_reactions=True,
    use_external_emojis=True,
    use_application_commands=True,
    change_nickname=True,
    create_instant_invite=True,
    send_messages_in_threads=True,
    connect=True,
    speak=True,
).value
BOT_PERMISSIONS = ALL_PERMISSIONS & ~ADMINISTRATOR

EPHEMERAL = 1 << 6
LOADING = 1 << 7
COMPONENTS_V2 = 1 << 15

# Gateway intents (discord/flags.py Intents)
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DM_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


class Snowflakes:
    """Real-looking, strictly increasing snowflakes (so `created_at` is now, not 2015)."""

    def __init__(self) -> None:
        self._last = 0
        self._counter = itertools.count()

    def __call__(self) -> int:
        stamp = discord.utils.time_snowflake(datetime.now(UTC))
        value = max(stamp | (next(self._counter) & 0xFFF), self._last + 1)
        self._last = value
        return value


def user_payload(user_id: int, name: str, *, bot: bool = False) -> JSON:
    return {
        "id": str(user_id),
        "username": name,
        "global_name": None if bot else name,
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


@dataclass
class MemberRecord:
    user_id: int
    roles: list[int]
    nick: str | None = None
    joined_at: str = field(default_factory=now_iso)


@dataclass
class GuildRecord:
    id: int
    name: str
    owner_id: int
    bot_role_id: int
    roles: dict[int, JSON] = field(default_factory=dict)
    members: dict[int, MemberRecord] = field(default_factory=dict)
    joined_at: str = field(default_factory=now_iso)


@dataclass
class MessageInfo:
    """What the emulator knows about a message beyond its payload."""

    ephemeral_for: int | None = None  # the only user who can see it
    interaction_id: int | None = None
    pinged_users: list[int] = field(default_factory=list)
    pinged_roles: list[int] = field(default_factory=list)
    pinged_everyone: bool = False


@dataclass
class StoredAttachment:
    id: int
    filename: str
    data: bytes
    content_type: str


@dataclass
class Model:
    bot_id: int
    users: dict[int, JSON] = field(default_factory=dict)
    guilds: dict[int, GuildRecord] = field(default_factory=dict)
    channels: dict[int, JSON] = field(default_factory=dict)
    deleted_channels: dict[int, JSON] = field(default_factory=dict)
    messages: dict[int, JSON] = field(default_factory=dict)
    message_info: dict[int, MessageInfo] = field(default_factory=dict)
    deleted_messages: dict[int, JSON] = field(default_factory=dict)
    global_commands: list[JSON] = field(default_factory=list)
    guild_commands: dict[int, list[JSON]] = field(default_factory=dict)
    attachments: dict[int, StoredAttachment] = field(default_factory=dict)

    # ------------------------------------------------------------------ payloads

    def role_payload(self, guild: GuildRecord, role_id: int) -> JSON:
        return copy.deepcopy(guild.roles[role_id])

    def member_payload(
        self, guild: GuildRecord, user_id: int, *, permissions: int | None = None
    ) -> JSON:
        record = guild.members[user_id]
        payload: JSON = {
            "user": copy.deepcopy(self.users[user_id]),
            "roles": [str(r) for r in record.roles],
            "joined_at": record.joined_at,
            "nick": record.nick,
            "avatar": None,
            "banner": None,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if permissions is not None:
            payload["permissions"] = str(permissions)
        return payload

    def guild_base_payload(self, guild: GuildRecord) -> JSON:
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(guild.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "vanity_url_code": None,
            "features": [],
            "emojis": [],
            "stickers": [],
            "roles": [self.role_payload(guild, r) for r in guild.roles],
        }

    def guild_create_payload(self, guild: GuildRecord, intents: int) -> JSON:
        """GUILD_CREATE as a bot with `intents` receives it (members only with GUILD_MEMBERS)."""
        member_ids = list(guild.members) if intents & INTENT_GUILD_MEMBERS else [self.bot_id]
        return {
            **self.guild_base_payload(guild),
            "joined_at": guild.joined_at,
            "large": False,
            "unavailable": False,
            "member_count": len(guild.members),
            "members": [self.member_payload(guild, m) for m in member_ids],
            "channels": [
                self.channel_payload(c)
                for c, ch in self.channels.items()
                if ch.get("guild_id") == str(guild.id)
            ],
            "threads": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    def channel_payload(self, channel_id: int) -> JSON:
        return copy.deepcopy(self.channels[channel_id])

    def guild_of_channel(self, channel_id: int) -> GuildRecord | None:
        channel = self.channels.get(channel_id) or self.deleted_channels.get(channel_id)
        if channel is None or channel.get("guild_id") is None:
            return None
        return self.guilds.get(int(channel["guild_id"]))

    # ------------------------------------------------------------------ permissions

    def base_permissions(self, guild: GuildRecord, user_id: int) -> int:
        if user_id == guild.owner_id:
            return ALL_PERMISSIONS
        member = guild.members.get(user_id)
        value = int(guild.roles[guild.id]["permissions"])
        for role_id in member.roles if member else []:
            value |= int(guild.roles[role_id]["permissions"])
        if value & ADMINISTRATOR:
            return ALL_PERMISSIONS
        return value

    def channel_permissions(self, channel_id: int, user_id: int) -> int:
        """Discord's permission algorithm: base, then @everyone, role and member overwrites."""
        channel = self.channels[channel_id]
        guild = self.guild_of_channel(channel_id)
        if guild is None:  # a DM
            return EVERYONE_PERMISSIONS
        value = self.base_permissions(guild, user_id)
        if value & ADMINISTRATOR:
            return ALL_PERMISSIONS
        overwrites = {int(o["id"]): o for o in channel.get("permission_overwrites", [])}
        everyone = overwrites.get(guild.id)
        if everyone is not None:
            value = (value & ~int(everyone["deny"])) | int(everyone["allow"])
        member = guild.members.get(user_id)
        allow = deny = 0
        for role_id in member.roles if member else []:
            overwrite = overwrites.get(role_id)
            if overwrite is not None and overwrite["type"] == 0:
                allow |= int(overwrite["allow"])
                deny |= int(overwrite["deny"])
        value = (value & ~deny) | allow
        own = overwrites.get(user_id)
        if own is not None and own["type"] == 1:
            value = (value & ~int(own["deny"])) | int(own["allow"])
        if not value & VIEW_CHANNEL:
            return 0
        if not value & SEND_MESSAGES:
            value &= ~SEND_DEPENDENT
        return value

    # ------------------------------------------------------------------ mentions

    def pings(
        self, content: str, allowed: JSON | None, guild: GuildRecord | None, *, can_everyone: bool
    ) -> tuple[list[int], list[int], bool]:
        """Who a message would notify: (users, roles, everyone), honouring allowed_mentions."""
        users = [int(u) for u in re.findall(r"<@!?(\d+)>", content)]
        roles = [int(r) for r in re.findall(r"<@&(\d+)>", content)]
        everyone = bool(re.search(r"@(everyone|here)", content))
        parse = {"users", "roles", "everyone"} if allowed is None else set(allowed.get("parse", []))
        allowed_users = {int(u) for u in (allowed or {}).get("users", [])}
        allowed_roles = {int(r) for r in (allowed or {}).get("roles", [])}
        users = [u for u in users if "users" in parse or u in allowed_users]
        roles = [r for r in roles if "roles" in parse or r in allowed_roles]
        if guild is not None:
            users = [u for u in users if u in self.users]
            roles = [r for r in roles if r in guild.roles]
        everyone = everyone and "everyone" in parse and can_everyone
        return list(dict.fromkeys(users)), list(dict.fromkeys(roles)), everyone


def walk_components(components: list[JSON]) -> list[JSON]:
    """Every component, however nested (action rows, sections, containers, labels)."""
    found: list[JSON] = []
    for component in components:
        found.append(component)
        found += walk_components(component.get("components") or [])
        for key in ("component", "accessory"):
            inner = component.get(key)
            if isinstance(inner, dict):
                found += walk_components([inner])
    return found


def number_components(components: list[JSON]) -> list[JSON]:
    """Copy of `components` with the numeric `id` Discord assigns to every component."""
    result = copy.deepcopy(components)
    used = {c["id"] for c in walk_components(result) if isinstance(c.get("id"), int)}
    counter = itertools.count(1)
    for component in walk_components(result):
        if not isinstance(component.get("id"), int):
            number = next(counter)
            while number in used:
                number = next(counter)
            component["id"] = number
    return result
