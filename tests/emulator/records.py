"""What a test reads back from the emulator: recorded REST calls, interaction handles, replies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.emulator.model import EPHEMERAL, JSON, walk_components


@dataclass
class RecordedCall:
    """One HTTP request the client made, in arrival order.

    `path` is relative to the API base (``/channels/1/messages``; attachment downloads keep their
    own ``/attachments/...`` path). `json` is the JSON body, or the ``payload_json`` part of a
    multipart body; `files` the uploaded file names and `uploads` their bytes. `status` and
    `response` are what the emulator answered; `injected` marks a failure from `fail_next`.
    """

    method: str
    path: str
    query: dict[str, str]
    json: Any
    files: list[str] = field(default_factory=list)
    status: int = 0
    index: int = -1
    response: Any = None
    uploads: list[tuple[str, bytes]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    injected: bool = False

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def __str__(self) -> str:
        query = "?" + "&".join(f"{k}={v}" for k, v in self.query.items()) if self.query else ""
        return f"#{self.index} {self.method} {self.path}{query} -> {self.status}"


@dataclass
class InteractionHandle:
    """An interaction the emulator delivered; `payload` is the exact INTERACTION_CREATE data."""

    id: int
    token: str
    payload: JSON

    @property
    def type(self) -> int:
        return int(self.payload["type"])

    @property
    def user_id(self) -> int:
        user = self.payload["member"]["user"] if "member" in self.payload else self.payload["user"]
        return int(user["id"])

    @property
    def guild_id(self) -> int | None:
        return int(self.payload["guild_id"]) if self.payload.get("guild_id") else None

    @property
    def channel_id(self) -> int:
        return int(self.payload["channel_id"])

    @property
    def message_id(self) -> int | None:
        message = self.payload.get("message")
        return int(message["id"]) if message else None

    @property
    def custom_id(self) -> str | None:
        value = self.payload.get("data", {}).get("custom_id")
        return str(value) if value is not None else None


@dataclass
class Reply:
    """How the bot answered an interaction.

    `type` is the callback type (4 message, 5 deferred message, 6 deferred update, 7 update
    message, 8 autocomplete choices, 9 modal). `data` is the body the bot sent: the callback's
    ``data``, or for 5 and 6 the first followup or edit of the original that came after it.
    `message` is the resulting message as the emulator stored it at that moment (None for 8, 9 and
    a deferral that was never followed up) and `message_id` its id. `content`, `embeds`,
    `components` and `flags` read the message when there is one (so an update that only changed
    the embeds still shows the content), else `data`.
    """

    type: int
    data: JSON
    message_id: int | None = None
    message: JSON | None = None
    callback: RecordedCall | None = None
    follow: RecordedCall | None = None

    def _field(self, key: str) -> Any:
        if self.message is not None and key in self.message:
            return self.message[key]
        return self.data.get(key)

    @property
    def deferred(self) -> bool:
        return self.type in (5, 6)

    @property
    def content(self) -> str:
        return str(self._field("content") or "")

    @property
    def embeds(self) -> list[JSON]:
        return list(self._field("embeds") or [])

    @property
    def components(self) -> list[JSON]:
        return list(self._field("components") or [])

    @property
    def flags(self) -> int:
        if self.message is not None:
            return int(self.message.get("flags") or 0)
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def custom_ids(self) -> list[str]:
        return [str(c["custom_id"]) for c in walk_components(self.components) if "custom_id" in c]

    @property
    def choices(self) -> list[JSON]:
        """The autocomplete choices (type 8)."""
        return list(self.data.get("choices") or [])

    @property
    def modal(self) -> JSON:
        """The modal the bot opened (type 9): custom_id, title, components."""
        if self.type != 9:
            raise ValueError(f"reply type {self.type} is not a modal")
        return self.data

    def text(self) -> str:
        """Everything a member reads: content, embed titles, descriptions, fields, footers."""
        parts = [self.content]
        for embed in self.embeds:
            parts += [embed.get("title", ""), embed.get("description", "")]
            for item in embed.get("fields", []):
                parts += [item.get("name", ""), item.get("value", "")]
            parts.append((embed.get("footer") or {}).get("text", ""))
        return "\n".join(p for p in parts if p)


class EmulatorProblem(AssertionError):
    """The client used a route the emulator does not know, sent something malformed, logged an
    error, or its task crashed."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("the emulated Discord saw problems:\n  " + "\n  ".join(problems))


class ClientCrashed(EmulatorProblem):
    """The client's `start()` task ended with an exception."""
