"""A local Discord: REST and gateway on 127.0.0.1 for the real discord.py client.

It keeps a small model (one application, guilds, text channels, members, messages), records every
REST call, injects interactions as a member would send them, and can answer with 429 or 5xx. Routes
it does not know answer 404 and are listed in `unknown_routes` so that a test fails on them.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import discord
import yarl
from aiohttp import WSMsgType, web

from tests.emulator.limits import (
    autocomplete_problems,
    commands_problems,
    message_problems,
    modal_problems,
)
from tests.emulator.ratelimits import RouteLimits

JSON = dict[str, Any]
EPOCH = "2026-01-01T00:00:00.000000+00:00"
ALL_PERMISSIONS = (1 << 41) - 1
NONCE_WINDOW = 120.0
"""With enforce_nonce, Discord returns the message it already made for a nonce seen within the
past few minutes instead of posting again."""


@dataclass
class RecordedCall:
    method: str
    path: str
    query: dict[str, str]
    json: Any
    files: list[str]
    status: int = 200
    at: float = 0.0


class _InstantSleep:
    """Stands in for the asyncio module inside discord.py's HTTP code: everything is asyncio's,
    except that sleep records the delay and only yields to the event loop."""

    def __init__(self, record: list[float]) -> None:
        self._record = record

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    async def sleep(self, delay: float, result: Any = None) -> Any:
        if delay > 0:
            self._record.append(delay)
        return await asyncio.sleep(0, result)


def _succeeded(call: RecordedCall) -> bool:
    return 200 <= call.status < 300


@dataclass
class InteractionHandle:
    id: int
    token: str
    payload: JSON
    created_at: float = 0.0
    first_call: int = 0
    """How many REST calls were recorded before it: its answer is looked for after those."""


@dataclass
class Reply:
    """What the bot answered to an interaction: the callback type and the message data it carried
    (for a deferred response, the first followup or edit of the original)."""

    type: int
    data: JSON
    message_id: int | None

    @property
    def content(self) -> str:
        return str(self.data.get("content") or "")

    @property
    def embeds(self) -> list[JSON]:
        return list(self.data.get("embeds") or [])

    @property
    def ephemeral(self) -> bool:
        return bool(int(self.data.get("flags") or 0) & 64)

    @property
    def custom_ids(self) -> list[str]:
        return [
            c["custom_id"]
            for row in self.data.get("components") or []
            for c in row.get("components", [])
            if "custom_id" in c
        ]

    def text(self) -> str:
        """Everything visible: content, embed titles, descriptions and fields."""
        parts = [self.content]
        for embed in self.embeds:
            parts += [embed.get("title", ""), embed.get("description", "")]
            for item in embed.get("fields", []):
                parts += [item.get("name", ""), item.get("value", "")]
        return "\n".join(p for p in parts if p)


@dataclass
class _Failure:
    method: str
    path: re.Pattern[str]
    status: int
    times: int
    retry_after: float


@dataclass
class _Model:
    guilds: dict[int, JSON] = field(default_factory=dict)
    channels: dict[int, JSON] = field(default_factory=dict)
    members: dict[int, dict[int, JSON]] = field(default_factory=dict)
    users: dict[int, JSON] = field(default_factory=dict)
    messages: dict[int, JSON] = field(default_factory=dict)
    bot_denied: dict[int, int] = field(default_factory=dict)
    global_commands: list[JSON] = field(default_factory=list)
    guild_commands: dict[int, list[JSON]] = field(default_factory=dict)
    attachments: dict[int, tuple[str, bytes]] = field(default_factory=dict)


class DiscordEmulator:
    def __init__(self) -> None:
        self._ids = itertools.count(1_100_000_000_000_000_000)
        self.application_id = self.new_id()
        self.bot_user_id = self.application_id
        self.token = "emulated.bot.token"
        self.model = _Model()
        self.model.users[self.bot_user_id] = self._user(self.bot_user_id, "StudyTutor", bot=True)
        self.calls: list[RecordedCall] = []
        self.unknown_routes: list[str] = []
        self.errors: list[str] = []
        self.interactions: dict[int, InteractionHandle] = {}
        self._failures: list[_Failure] = []
        self._global_per_second = 0
        self._recent: list[float] = []
        self.global_limited = 0
        self.retry_sleeps: list[float] = []
        self.route_limits = RouteLimits(clock=self._rate_clock)
        """Discord's per-route buckets (message create 5 per 5 s per channel, ...): on by default."""
        self._acknowledged: set[int] = set()
        self.refusals: list[tuple[str, list[str]]] = []
        self._nonces: dict[tuple[int, str], tuple[int, float]] = {}
        self.response_deadline = 3.0
        """Discord drops an interaction not answered within 3 s of its creation."""
        self.late_responses: list[int] = []
        self.on_message: Callable[[JSON], None] | None = None
        """Called with each message as it is made."""
        self.intercept: Callable[[RecordedCall, str], None] | None = None
        """Called with each REST call "before" it is handled and "after" (its response not sent
        yet): a soak kills the bot there to stand in for a crash at that moment."""
        self.now: Callable[[], float] = time.monotonic
        """Real time, for the 3 s an interaction may wait for its answer."""
        self.message_clock: Callable[[], float] = time.monotonic
        """The world's time, for how long Discord remembers a nonce: a simulation moves it."""
        self._changed = asyncio.Condition()
        self._sockets: list[web.WebSocketResponse] = []
        self._identified: set[web.WebSocketResponse] = set()
        self.shard_count = 1
        """How many shards /gateway/bot recommends; an IDENTIFY may name one of its own count."""
        self._shards: dict[web.WebSocketResponse, tuple[int, int]] = {}
        """The [shard_id, shard_count] each connection identified with (none: unsharded)."""
        self._session_shards: dict[str, tuple[int, int]] = {}
        self.identified_shards: list[int] = []
        """The shard of every IDENTIFY, in order (0 for an unsharded one)."""
        self._sequence = 0
        self._ready = asyncio.Event()
        self.resumed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._routes: list[tuple[str, re.Pattern[str], Callable[..., Any]]] = []
        self._install_routes()

    async def instant_sleep(self, delay: float) -> None:
        """A sleep that returns at once, the time it skipped counted as passed for the limits."""
        await _InstantSleep(self.retry_sleeps).sleep(delay)

    def _rate_clock(self) -> float:
        """Real time plus the back-off discord.py was spared (see `patched`): the time it believes."""
        return time.monotonic() + sum(self.retry_sleeps)

    # ----------------------------------------------------------------- lifecycle

    def new_id(self) -> int:
        return next(self._ids)

    async def start(self) -> None:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("GET", "/gateway", self._gateway)
        app.router.add_route("*", "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        for socket in list(self._sockets):
            with contextlib.suppress(Exception):
                await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @contextlib.contextmanager
    def patched(self, *, fast_retries: bool = True) -> Iterator[None]:
        """Point discord.py at the emulator. With `fast_retries`, the back-off sleeps discord.py takes
        after a 429 or 5xx return at once (what it asked for is kept in `retry_sleeps`), so a test
        of error handling waits for no real time."""
        old_base, old_gateway = (
            discord.http.Route.BASE,
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
        )
        modules = (discord.http, discord.webhook.async_)
        old_asyncio = [module.asyncio for module in modules]  # type: ignore[attr-defined]
        discord.http.Route.BASE = self.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        if fast_retries:
            for module in modules:
                module.asyncio = _InstantSleep(self.retry_sleeps)  # type: ignore[attr-defined]
        try:
            yield
        finally:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway
            for module, original in zip(modules, old_asyncio, strict=True):
                module.asyncio = original  # type: ignore[attr-defined]

    # ----------------------------------------------------------------- the model

    @staticmethod
    def _user(user_id: int, name: str, *, bot: bool = False) -> JSON:
        return {
            "id": str(user_id),
            "username": name,
            "global_name": name,
            "discriminator": "0",
            "avatar": None,
            "bot": bot,
        }

    def add_guild(self, name: str, *, shard: int | None = None) -> int:
        """A server; with `shard`, one whose id Discord puts on that shard of `shard_count`."""
        guild_id = self.new_id()
        while shard is not None and (guild_id >> 22) % self.shard_count != shard:
            guild_id += 1 << 22
        self.model.guilds[guild_id] = {
            "id": str(guild_id),
            "name": name,
            "owner_id": str(self.new_id()),
        }
        self.model.members[guild_id] = {}
        self._add_member_record(guild_id, self.bot_user_id, ALL_PERMISSIONS)
        if self._identified:
            self._dispatch_soon("GUILD_CREATE", self._guild_payload(guild_id))
        return guild_id

    def add_channel(self, guild_id: int, name: str) -> int:
        channel_id = self.new_id()
        self.model.channels[channel_id] = {
            "id": str(channel_id),
            "type": 0,
            "name": name,
            "guild_id": str(guild_id),
            "position": len(self.model.channels),
            "permission_overwrites": [],
            "nsfw": False,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "parent_id": None,
        }
        if self._identified:
            self._dispatch_soon("CHANNEL_CREATE", self.model.channels[channel_id])
        return channel_id

    def delete_channel(self, channel_id: int) -> None:
        channel = self.model.channels.pop(channel_id)
        if self._identified:
            self._dispatch_soon("CHANNEL_DELETE", channel)

    def add_member(self, guild_id: int, name: str, *, permissions: int = 0) -> int:
        user_id = self.new_id()
        self.model.users[user_id] = self._user(user_id, name)
        self._add_member_record(guild_id, user_id, permissions)
        return user_id

    def _add_member_record(self, guild_id: int, user_id: int, permissions: int) -> None:
        self.model.members[guild_id][user_id] = {
            "user": self.model.users[user_id],
            "roles": [],
            "joined_at": EPOCH,
            "nick": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "permissions": str(permissions),
        }

    def deny_bot(self, channel_id: int, permissions: int) -> None:
        """Take permissions from the bot in one channel (e.g. discord.Permissions(send_messages=True).value)."""
        self.model.bot_denied[channel_id] = permissions

    def add_attachment(self, filename: str, data: bytes) -> int:
        attachment_id = self.new_id()
        self.model.attachments[attachment_id] = (filename, data)
        return attachment_id

    def channel_messages(self, channel_id: int) -> list[JSON]:
        return [
            m
            for m in self.model.messages.values()
            if m["channel_id"] == str(channel_id) and not m.get("deleted")
        ]

    def _guild_payload(self, guild_id: int) -> JSON:
        guild = self.model.guilds[guild_id]
        channels = [c for c in self.model.channels.values() if c["guild_id"] == str(guild_id)]
        members = list(self.model.members[guild_id].values())
        return {
            **guild,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "features": [],
            "emojis": [],
            "stickers": [],
            "roles": [
                {
                    "id": str(guild_id),
                    "name": "@everyone",
                    "permissions": str(
                        discord.Permissions.general().value | discord.Permissions.text().value
                    ),
                    "position": 0,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                }
            ],
            "channels": channels,
            "threads": [],
            "members": members,
            "member_count": len(members),
            "large": False,
            "unavailable": False,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "system_channel_id": None,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "joined_at": EPOCH,
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
        }

    # ----------------------------------------------------------------- gateway

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets.append(socket)
        await socket.send_str(
            json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        )
        async for message in socket:
            if message.type != WSMsgType.TEXT:
                continue
            payload = json.loads(message.data)
            op = payload.get("op")
            if op == 1:
                await socket.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
            elif op == 2:
                await self._identify(socket, payload.get("d") or {})
            elif op == 6:
                shard = self._session_shards.get(str((payload.get("d") or {}).get("session_id")))
                if shard is not None:
                    self._shards[socket] = shard
                self._identified.add(socket)
                self.resumed.set()
                await self._send(socket, "RESUMED", {})
            elif op in (3, 4, 8):
                continue
            else:
                self.errors.append(f"gateway op {op} not understood")
        self._identified.discard(socket)
        self._shards.pop(socket, None)
        with contextlib.suppress(ValueError):
            self._sockets.remove(socket)
        return socket

    def _on_socket(self, socket: web.WebSocketResponse, guild_id: int | None) -> bool:
        """Whether Discord sends a server's events on this connection: only on its shard's (and
        events of no server, such as DMs, on shard 0)."""
        shard = self._shards.get(socket)
        if shard is None:
            return True
        shard_id, count = shard
        return shard_id == (0 if guild_id is None else (guild_id >> 22) % count)

    @staticmethod
    def _guild_of(event: str, data: JSON) -> int | None:
        guild = data.get("id") if event == "GUILD_CREATE" else data.get("guild_id")
        return int(guild) if guild is not None else None

    async def _identify(self, socket: web.WebSocketResponse, identify: JSON) -> None:
        shard = identify.get("shard")
        session_id = "emulated-session"
        if shard is not None:
            shard_id, count = int(shard[0]), int(shard[1])
            if not 0 <= shard_id < count:
                self.errors.append(f"IDENTIFY with shard {shard!r}: no such shard")
                await socket.close(code=4010)  # Discord: invalid shard
                return
            self._shards[socket] = (shard_id, count)
            session_id = f"emulated-session-{shard_id}-of-{count}"
            self._session_shards[session_id] = (shard_id, count)
        self.identified_shards.append(self._shards.get(socket, (0, 1))[0])
        guilds = [g for g in self.model.guilds if self._on_socket(socket, g)]
        ready: JSON = {
            "v": 10,
            "user": {
                **self.model.users[self.bot_user_id],
                "verified": True,
                "mfa_enabled": False,
                "flags": 0,
            },
            "guilds": [{"id": str(g), "unavailable": True} for g in guilds],
            "session_id": session_id,
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        if shard is not None:
            ready["shard"] = list(self._shards[socket])
        await self._send(socket, "READY", ready)
        for guild_id in guilds:
            await self._send(socket, "GUILD_CREATE", self._guild_payload(guild_id))
        self._identified.add(socket)
        self._ready.set()

    async def _send(self, socket: web.WebSocketResponse, event: str, data: JSON) -> None:
        self._sequence += 1
        await socket.send_str(json.dumps({"op": 0, "t": event, "s": self._sequence, "d": data}))

    async def dispatch(self, event: str, data: JSON) -> None:
        guild_id = self._guild_of(event, data)
        for socket in list(self._identified):
            if self._on_socket(socket, guild_id):
                await self._send(socket, event, data)

    def _dispatch_soon(self, event: str, data: JSON) -> None:
        asyncio.get_running_loop().create_task(self.dispatch(event, data))

    async def wait_until_ready(self, timeout: float = 5) -> None:
        await asyncio.wait_for(self._ready.wait(), timeout)

    async def drop_connection(self, code: int = 4000) -> None:
        """Close the gateway with a resumable code: the client reconnects and sends RESUME."""
        for socket in list(self._identified):
            self._identified.discard(socket)
            await socket.close(code=code)

    # ----------------------------------------------------------------- REST

    def fail_next(
        self,
        method: str,
        path: str,
        *,
        status: int = 429,
        times: int = 1,
        retry_after: float = 0.05,
    ) -> None:
        self._failures.append(
            _Failure(method.upper(), re.compile(path), status, times, retry_after)
        )

    def _route(
        self, method: str, pattern: str
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def register(handler: Callable[..., Any]) -> Callable[..., Any]:
            self._routes.append((method, re.compile(f"^{pattern}$"), handler))
            return handler

        return register

    @staticmethod
    def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
        return web.Response(
            status=status,
            body=json.dumps(body).encode() if body is not None else b"",
            headers={"Content-Type": "application/json", **(headers or {})},
        )

    def _refuse(self, call: RecordedCall, problems: list[str]) -> web.Response | None:
        """Discord's 400 / 50035 for a payload past its documented limits; kept in `refusals`."""
        if not problems:
            return None
        self.refusals.append((f"{call.method} {call.path}", problems))
        return self._error(400, 50035, "Invalid Form Body: " + "; ".join(problems))

    @staticmethod
    def _error(status: int, code: int, message: str) -> web.Response:
        return DiscordEmulator._json({"message": message, "code": code}, status)

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/attachments/"):
            attachment_id = int(path.split("/")[2])
            _, data = self.model.attachments[attachment_id]
            return web.Response(body=data, headers={"Content-Type": "application/octet-stream"})
        path = path.removeprefix("/api/v10")
        body, files = await self._read_body(request)
        call = RecordedCall(
            request.method, path, dict(request.query), body, files, at=time.monotonic()
        )
        if self.intercept is not None:
            self.intercept(call, "before")
        response = self._injected_failure(call) or self._global_limit(call)
        limited = self.route_limits.check(call.method, path) if response is None else None
        if limited is not None and limited.refused:
            response = self._json(
                {
                    "message": "You are being rate limited.",
                    "retry_after": limited.retry_after,
                    "global": False,
                },
                429,
                limited.headers | {"Via": "1.1 google"},
            )
        if response is None:
            for method, pattern, handler in self._routes:
                match = pattern.match(path)
                if match and method == request.method:
                    try:
                        response = await handler(call, **match.groupdict())
                    except Exception as exc:  # a bug in the emulator must fail the test, loudly
                        self.errors.append(f"{request.method} {path}: {exc!r}")
                        response = self._error(500, 0, "emulator error")
                    break
            else:
                self.unknown_routes.append(f"{request.method} {path}")
                response = self._error(404, 0, "404: Not Found (emulator does not know this route)")
        if limited is not None and not limited.refused:
            response.headers.update(limited.headers)
        call.status = response.status
        if self.intercept is not None:
            self.intercept(call, "after")
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        return response

    async def _read_body(self, request: web.Request) -> tuple[Any, list[str]]:
        if not request.can_read_body:
            return None, []
        if request.content_type.startswith("multipart/"):
            payload: Any = None
            files: list[str] = []
            reader = await request.multipart()
            async for part in reader:
                if part.name == "payload_json":
                    payload = json.loads(await part.text())  # type: ignore[union-attr]
                else:
                    files.append(part.filename or "")  # type: ignore[union-attr]
                    await part.read()  # type: ignore[union-attr]
            return payload, files
        text = await request.text()
        try:
            return (json.loads(text) if text else None), []
        except ValueError:
            self.errors.append(f"{request.method} {request.path}: body is not JSON")
            return text, []

    def enforce_global_limit(self, per_second: int = 50) -> None:
        """Answer 429 (global) like Discord when more than `per_second` requests arrive within a second."""
        self._global_per_second = per_second

    def _global_limit(self, call: RecordedCall) -> web.Response | None:
        if not self._global_per_second or call.path.startswith("/interactions/"):
            return None
        window = [t for t in self._recent if call.at - t < 1.0]
        self._recent = [*window, call.at]
        if len(window) < self._global_per_second:
            return None
        self.global_limited += 1
        return self._json(
            {"message": "You are being rate limited.", "retry_after": 0.5, "global": True},
            429,
            {
                "Retry-After": "0.5",
                "X-RateLimit-Global": "true",
                "X-RateLimit-Scope": "global",
                "Via": "1.1 google",
            },
        )

    def _injected_failure(self, call: RecordedCall) -> web.Response | None:
        for failure in self._failures:
            if (
                failure.times > 0
                and failure.method == call.method
                and failure.path.search(call.path)
            ):
                failure.times -= 1
                if failure.status == 429:
                    return self._json(
                        {
                            "message": "You are being rate limited.",
                            "retry_after": failure.retry_after,
                            "global": False,
                        },
                        429,
                        {
                            "Retry-After": str(failure.retry_after),
                            "X-RateLimit-Limit": "5",
                            "X-RateLimit-Remaining": "0",
                            "X-RateLimit-Reset-After": str(failure.retry_after),
                            "X-RateLimit-Bucket": "emulated",
                            "X-RateLimit-Scope": "user",
                            "Via": "1.1 google",
                        },
                    )
                return self._error(failure.status, 0, f"{failure.status}: injected server error")
        return None

    # ----------------------------------------------------------------- waiting

    async def wait_for(
        self,
        method: str,
        path: str,
        *,
        after: int = 0,
        predicate: Callable[[RecordedCall], bool] | None = None,
        timeout: float = 5,
    ) -> RecordedCall:
        """The first recorded call at index >= `after` matching method, path regex and predicate."""
        pattern = re.compile(path)

        def find() -> RecordedCall | None:
            for call in self.calls[after:]:
                if (
                    call.method == method
                    and pattern.search(call.path)
                    and (predicate is None or predicate(call))
                ):
                    return call
            return None

        async with self._changed:
            found = await asyncio.wait_for(self._changed.wait_for(find), timeout)
        assert found is not None
        return found

    async def wait_for_callback(
        self, handle: InteractionHandle, *, timeout: float = 5
    ) -> RecordedCall:
        """The bot's accepted callback to an interaction."""
        return await self.wait_for(
            "POST",
            rf"^/interactions/{handle.id}/[^/]+/callback$",
            after=handle.first_call,
            predicate=_succeeded,
            timeout=timeout,
        )

    async def response_to(self, handle: InteractionHandle, *, timeout: float = 5) -> Reply:
        callback = await self.wait_for_callback(handle, timeout=timeout)
        kind = int(callback.json["type"])
        data = callback.json.get("data") or {}
        if kind in (5, 6):
            follow = await self._first_followup(handle, timeout)
            return Reply(kind, follow.json or {}, None)
        message_id = handle.payload.get("message", {}).get("id") if kind == 7 else None
        if kind == 4:
            message_id = self._response_message.get(handle.id)
        return Reply(kind, data, int(message_id) if message_id else None)

    async def _first_followup(self, handle: InteractionHandle, timeout: float) -> RecordedCall:
        token = re.escape(handle.token)
        pattern = re.compile(rf"^/webhooks/{self.application_id}/{token}(/messages/@original)?$")

        def find() -> RecordedCall | None:
            for call in self.calls[handle.first_call :]:
                if (
                    call.method in ("POST", "PATCH")
                    and pattern.search(call.path)
                    and _succeeded(call)
                ):
                    return call
            return None

        async with self._changed:
            found = await asyncio.wait_for(self._changed.wait_for(find), timeout)
        assert found is not None
        return found

    # ----------------------------------------------------------------- route handlers

    def _install_routes(self) -> None:
        self._response_message: dict[int, int] = {}
        route = self._route

        @route("GET", "/users/@me")
        async def me(call: RecordedCall) -> web.Response:
            return self._json(self.model.users[self.bot_user_id])

        @route("GET", "/oauth2/applications/@me")
        async def application(call: RecordedCall) -> web.Response:
            owner = self._user(self.new_id(), "owner")
            return self._json(
                {
                    "id": str(self.application_id),
                    "name": "StudyTutor",
                    "icon": None,
                    "description": "",
                    "bot_public": True,
                    "bot_require_code_grant": False,
                    "owner": owner,
                    "verify_key": "0" * 64,
                    "flags": 0,
                    "team": None,
                    "summary": "",
                    "rpc_origins": [],
                }
            )

        @route("GET", "/gateway(/bot)?")
        async def gateway(call: RecordedCall) -> web.Response:
            return self._json(
                {
                    "url": self.gateway_url,
                    "shards": self.shard_count,
                    "session_start_limit": {
                        "total": 1000,
                        "remaining": 1000,
                        "reset_after": 0,
                        "max_concurrency": 1,
                    },
                }
            )

        @route("PUT", r"/applications/(?P<app>\d+)/commands")
        async def put_global(call: RecordedCall, app: str) -> web.Response:
            refused = self._refuse(call, commands_problems(call.json or []))
            if refused is not None:
                return refused
            self.model.global_commands = self._store_commands(call.json, None)
            return self._json(self.model.global_commands)

        @route("GET", r"/applications/(?P<app>\d+)/commands")
        async def get_global(call: RecordedCall, app: str) -> web.Response:
            return self._json(self.model.global_commands)

        @route("PUT", r"/applications/(?P<app>\d+)/guilds/(?P<guild>\d+)/commands")
        async def put_guild(call: RecordedCall, app: str, guild: str) -> web.Response:
            refused = self._refuse(call, commands_problems(call.json or []))
            if refused is not None:
                return refused
            self.model.guild_commands[int(guild)] = self._store_commands(call.json, int(guild))
            return self._json(self.model.guild_commands[int(guild)])

        @route("GET", r"/channels/(?P<channel>\d+)")
        async def get_channel(call: RecordedCall, channel: str) -> web.Response:
            found = self.model.channels.get(int(channel))
            return self._json(found) if found else self._error(404, 10003, "Unknown Channel")

        @route("POST", r"/channels/(?P<channel>\d+)/messages")
        async def post_message(call: RecordedCall, channel: str) -> web.Response:
            # Discord refuses files without Attach Files, as it refuses the post without Send.
            needed = discord.Permissions(send_messages=True, attach_files=bool(call.files))
            problem = self._channel_problem(int(channel), needed.value)
            if problem is not None:
                return problem
            refused = self._refuse(call, message_problems(call.json or {}))
            if refused is not None:
                return refused
            body = call.json or {}
            nonce = body.get("nonce") if body.get("enforce_nonce") else None
            key = (int(channel), str(nonce))
            if nonce is not None and key in self._nonces:
                earlier, at = self._nonces[key]
                if self.message_clock() - at < NONCE_WINDOW:
                    return self._json(self.model.messages[earlier])
            message = self._new_message(int(channel), body)
            if nonce is not None:
                self._nonces[key] = (int(message["id"]), self.message_clock())
            return self._json(message)

        @route("GET", r"/channels/(?P<channel>\d+)/messages")
        async def history(call: RecordedCall, channel: str) -> web.Response:
            """Newest first, as Discord answers; ephemeral replies are no part of a channel."""
            problem = self._channel_problem(
                int(channel), discord.Permissions(read_message_history=True).value
            )
            if problem is not None:
                return problem
            limit = int(call.query.get("limit", "50"))
            if not 1 <= limit <= 100:
                return self._refuse(call, [f"limit: {limit}, 1 to 100"]) or self._error(400, 0, "")
            before = int(call.query.get("before", str(1 << 63)))
            after = int(call.query.get("after", "0"))
            found = sorted(
                (
                    m
                    for m in self.channel_messages(int(channel))
                    if not int(m.get("flags") or 0) & 64 and after < int(m["id"]) < before
                ),
                key=lambda m: int(m["id"]),
                reverse=True,
            )
            if "after" in call.query and "before" not in call.query:
                found = list(reversed(list(reversed(found))[:limit]))
            return self._json(found[:limit])

        @route("GET", r"/channels/(?P<channel>\d+)/messages/(?P<message>\d+)")
        async def get_message(call: RecordedCall, channel: str, message: str) -> web.Response:
            found = self.model.messages.get(int(message))
            return self._json(found) if found else self._error(404, 10008, "Unknown Message")

        @route("PATCH", r"/channels/(?P<channel>\d+)/messages/(?P<message>\d+)")
        async def edit_message(call: RecordedCall, channel: str, message: str) -> web.Response:
            problem = self._channel_problem(int(channel), 0)
            if problem is not None:
                return problem
            found = self.model.messages.get(int(message))
            if found is None:
                return self._error(404, 10008, "Unknown Message")
            if int(found.get("flags") or 0) & 64:
                return self._error(404, 10008, "Unknown Message")
            refused = self._refuse(call, message_problems({**found, **(call.json or {})}))
            if refused is not None:
                return refused
            found.update({k: v for k, v in (call.json or {}).items() if k != "allowed_mentions"})
            found["edited_timestamp"] = EPOCH
            return self._json(found)

        @route("DELETE", r"/channels/(?P<channel>\d+)/messages/(?P<message>\d+)")
        async def delete_message(call: RecordedCall, channel: str, message: str) -> web.Response:
            found = self.model.messages.get(int(message))
            if found is None:
                return self._error(404, 10008, "Unknown Message")
            found["deleted"] = True
            return web.Response(status=204)

        @route("POST", r"/interactions/(?P<interaction>\d+)/(?P<token>[^/]+)/callback")
        async def callback(call: RecordedCall, interaction: str, token: str) -> web.Response:
            handle = self.interactions.get(int(interaction))
            if handle is None or handle.token != token:
                return self._error(404, 10062, "Unknown interaction")
            if handle.id in self._acknowledged:
                return self._error(400, 40060, "Interaction has already been acknowledged.")
            if self.now() - handle.created_at > self.response_deadline:
                self.late_responses.append(handle.id)
                return self._error(404, 10062, "Unknown interaction")
            kind = int(call.json["type"])
            data = call.json.get("data") or {}
            problems = (
                message_problems(data)
                if kind in (4, 7)
                else modal_problems(data)
                if kind == 9
                else autocomplete_problems(data)
                if kind == 8
                else []
            )
            refused = self._refuse(call, problems)
            if refused is not None:
                return refused
            self._acknowledged.add(handle.id)
            resource: JSON = {"type": kind}
            response_id: int | None = None
            if kind == 4:
                message = self._new_message(
                    int(handle.payload["channel_id"]), data, interaction=handle
                )
                self._response_message[handle.id] = int(message["id"])
                resource["message"] = message
                response_id = int(message["id"])
            elif kind == 7:
                stored = self.model.messages.get(
                    int(handle.payload.get("message", {}).get("id", 0))
                )
                if stored is not None:
                    stored.update({k: v for k, v in data.items() if k != "allowed_mentions"})
                    resource["message"] = stored
                    response_id = int(stored["id"])
            elif kind == 5:
                message = self._new_message(
                    int(handle.payload["channel_id"]),
                    {"content": "", "flags": data.get("flags", 0)},
                    interaction=handle,
                )
                self._response_message[handle.id] = int(message["id"])
                response_id = int(message["id"])
            return self._json(
                {
                    "interaction": {
                        "id": str(handle.id),
                        "type": handle.payload["type"],
                        "response_message_id": str(response_id) if response_id else None,
                        "response_message_loading": kind == 5,
                        "response_message_ephemeral": bool(int(data.get("flags") or 0) & 64),
                    },
                    "resource": resource,
                }
            )

        @route("POST", r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)")
        async def followup(call: RecordedCall, app: str, token: str) -> web.Response:
            handle = next((h for h in self.interactions.values() if h.token == token), None)
            if handle is None:
                return self._error(404, 10015, "Unknown Webhook")
            if handle.id not in self._acknowledged:
                return self._error(404, 10015, "Unknown Webhook")
            refused = self._refuse(call, message_problems(call.json or {}))
            if refused is not None:
                return refused
            message = self._new_message(
                int(handle.payload["channel_id"]), call.json or {}, interaction=handle
            )
            return self._json(message)

        webhook_message = re.compile(
            r"^/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<message>@original|\d+)$"
        )
        for verb in ("PATCH", "GET", "DELETE"):
            self._routes.append((verb, webhook_message, self._webhook_message))

    async def _webhook_message(
        self, call: RecordedCall, app: str, token: str, message: str
    ) -> web.Response:
        handle = next((h for h in self.interactions.values() if h.token == token), None)
        if handle is None:
            return self._error(404, 10015, "Unknown Webhook")
        message_id = (
            self._response_message.get(handle.id) if message == "@original" else int(message)
        )
        stored = self.model.messages.get(message_id or 0)
        if stored is None:
            return self._error(404, 10008, "Unknown Message")
        if call.method == "PATCH":
            refused = self._refuse(call, message_problems({**stored, **(call.json or {})}))
            if refused is not None:
                return refused
            stored.update({k: v for k, v in (call.json or {}).items() if k != "allowed_mentions"})
        elif call.method == "DELETE":
            stored["deleted"] = True
            return web.Response(status=204)
        return self._json(stored)

    def _store_commands(self, commands: list[JSON], guild_id: int | None) -> list[JSON]:
        stored = []
        for command in commands:
            entry = {
                **command,
                "id": str(self.new_id()),
                "application_id": str(self.application_id),
                "version": "1",
            }
            if guild_id is not None:
                entry["guild_id"] = str(guild_id)
            entry.setdefault("default_member_permissions", None)
            entry.setdefault("dm_permission", True)
            entry.setdefault("type", 1)
            stored.append(entry)
        return stored

    def _channel_problem(self, channel_id: int, needed: int) -> web.Response | None:
        if channel_id not in self.model.channels:
            return self._error(404, 10003, "Unknown Channel")
        if self.model.bot_denied.get(channel_id, 0) & needed:
            return self._error(403, 50013, "Missing Permissions")
        return None

    def _new_message(
        self, channel_id: int, data: JSON, *, interaction: InteractionHandle | None = None
    ) -> JSON:
        message_id = self.new_id()
        channel = self.model.channels.get(channel_id, {})
        message: JSON = {
            "id": str(message_id),
            "channel_id": str(channel_id),
            "guild_id": channel.get("guild_id"),
            "author": self.model.users[self.bot_user_id],
            "content": data.get("content") or "",
            "embeds": data.get("embeds") or [],
            "components": data.get("components") or [],
            "attachments": [],
            "flags": int(data.get("flags") or 0),
            "timestamp": EPOCH,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "pinned": False,
            "type": 0 if interaction is None else 20,
            "allowed_mentions": data.get("allowed_mentions"),
        }
        if interaction is not None:
            message["webhook_id"] = str(self.application_id)
            message["application_id"] = str(self.application_id)
            message["interaction_user"] = interaction.payload["member"]["user"]["id"]
        self.model.messages[message_id] = message
        if self.on_message is not None:
            self.on_message(message)
        return message

    # ----------------------------------------------------------------- interactions

    def _member_payload(self, guild_id: int, user_id: int) -> JSON:
        return dict(self.model.members[guild_id][user_id])

    def _find_command(self, name: str, guild_id: int) -> JSON:
        for command in [*self.model.guild_commands.get(guild_id, []), *self.model.global_commands]:
            if command["name"] == name:
                return command
        raise LookupError(f"the bot has not registered /{name}")

    async def _inject(
        self,
        kind: int,
        guild_id: int,
        channel_id: int,
        user_id: int,
        data: JSON,
        message: JSON | None = None,
    ) -> InteractionHandle:
        interaction_id = self.new_id()
        member = self._member_payload(guild_id, user_id)
        payload: JSON = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": kind,
            "data": data,
            "guild_id": str(guild_id),
            "channel_id": str(channel_id),
            "channel": self.model.channels.get(channel_id, {"id": str(channel_id), "type": 0}),
            "member": member,
            "token": f"token-{interaction_id}",
            "version": 1,
            "attachment_size_limit": 25 * 1024 * 1024,
            "app_permissions": str(ALL_PERMISSIONS),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild_id)},
            "context": 0,
        }
        if message is not None:
            payload["message"] = message
        handle = InteractionHandle(
            interaction_id, payload["token"], payload, self.now(), len(self.calls)
        )
        self.interactions[interaction_id] = handle
        await self.dispatch("INTERACTION_CREATE", payload)
        return handle

    async def send_interaction_again(self, handle: InteractionHandle) -> None:
        await self.dispatch("INTERACTION_CREATE", handle.payload)

    def _options(
        self, schema: list[JSON], values: dict[str, Any], resolved: JSON, guild_id: int
    ) -> list[JSON]:
        options = []
        for name, value in values.items():
            spec = next((o for o in schema if o["name"] == name), None)
            if spec is None:
                raise LookupError(
                    f"no option {name!r}; the command has {[o['name'] for o in schema]}"
                )
            kind = spec["type"]
            if kind == 11:
                filename, data = self.model.attachments[int(value)]
                resolved.setdefault("attachments", {})[str(value)] = {
                    "id": str(value),
                    "filename": filename,
                    "size": len(data),
                    "url": f"{self.base_url}/attachments/{value}/{filename}",
                    "proxy_url": f"{self.base_url}/attachments/{value}/{filename}",
                    "content_type": "application/octet-stream",
                }
                value = str(value)
            elif kind == 6:
                resolved.setdefault("users", {})[str(value)] = self.model.users[int(value)]
                member = {
                    k: v for k, v in self.model.members[guild_id][int(value)].items() if k != "user"
                }
                resolved.setdefault("members", {})[str(value)] = member
                value = str(value)
            elif kind == 7:
                resolved.setdefault("channels", {})[str(value)] = {
                    **self.model.channels[int(value)],
                    "permissions": str(ALL_PERMISSIONS),
                }
                value = str(value)
            options.append({"name": name, "type": kind, "value": value})
        return options

    def _command_data(
        self, name: str, guild_id: int, options: dict[str, Any], subcommand: str | None
    ) -> JSON:
        command = self._find_command(name, guild_id)
        resolved: JSON = {}
        schema = command.get("options") or []
        if subcommand is not None:
            sub = next(o for o in schema if o["name"] == subcommand)
            inner = self._options(sub.get("options") or [], options, resolved, guild_id)
            opts: list[JSON] = [{"name": subcommand, "type": 1, "options": inner}]
        else:
            opts = self._options(schema, options, resolved, guild_id)
        data: JSON = {"id": command["id"], "name": name, "type": 1, "options": opts}
        if "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        if resolved:
            data["resolved"] = resolved
        return data

    async def slash(
        self,
        name: str,
        *,
        guild_id: int,
        channel_id: int,
        user_id: int,
        options: dict[str, Any] | None = None,
        subcommand: str | None = None,
    ) -> InteractionHandle:
        data = self._command_data(name, guild_id, options or {}, subcommand)
        return await self._inject(2, guild_id, channel_id, user_id, data)

    async def autocomplete(
        self,
        name: str,
        *,
        focused: str,
        value: str,
        guild_id: int,
        channel_id: int,
        user_id: int,
        options: dict[str, Any] | None = None,
        subcommand: str | None = None,
    ) -> list[JSON]:
        data = self._command_data(name, guild_id, options or {}, subcommand)
        target = data["options"][0]["options"] if subcommand else data["options"]
        target.append({"name": focused, "type": 3, "value": value, "focused": True})
        handle = await self._inject(4, guild_id, channel_id, user_id, data)
        callback = await self.wait_for(
            "POST", rf"^/interactions/{handle.id}/[^/]+/callback$", predicate=_succeeded
        )
        return list(callback.json["data"]["choices"])

    async def click(self, message_id: int, custom_id: str, *, user_id: int) -> InteractionHandle:
        """A member clicks a button. Discord only sends clicks on buttons the message still has:
        LookupError (no interaction) for one an edit took away."""
        message = self.model.messages[message_id]
        present = {
            c.get("custom_id") for row in message.get("components") or [] for c in row["components"]
        }
        if custom_id not in present:
            raise LookupError(f"message {message_id} has no button {custom_id!r} any more")
        channel_id = int(message["channel_id"])
        guild_id = int(message["guild_id"])
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._inject(3, guild_id, channel_id, user_id, data, message=message)

    async def submit_modal(
        self,
        custom_id: str,
        values: dict[str, str],
        *,
        user_id: int,
        guild_id: int,
        channel_id: int,
        message_id: int | None = None,
    ) -> InteractionHandle:
        rows = [
            {"type": 1, "components": [{"type": 4, "custom_id": key, "value": value}]}
            for key, value in values.items()
        ]
        message = self.model.messages.get(message_id) if message_id else None
        return await self._inject(
            5,
            guild_id,
            channel_id,
            user_id,
            {"custom_id": custom_id, "components": rows},
            message=message,
        )

    def modal_opened(self, handle: InteractionHandle) -> JSON:
        """The modal the bot answered an interaction with (callback type 9)."""
        for call in self.calls:
            if (
                call.method == "POST"
                and call.path.startswith(f"/interactions/{handle.id}/")
                and call.json["type"] == 9
            ):
                return dict(call.json["data"])
        raise LookupError("no modal was opened")
