"""A simulated week with faults: the real bot, in its own process, against the emulator.

The driver owns a simulated clock. It starts the bot (tests/soak/bot_process.py) on a database,
has each server's admin schedule drills and live sessions in five time zones through the slash
commands, and then moves the clock from one event to the next: a tick when the bot says its next
work is due, members answering the posts they see (right, wrong, twice, and after the close), and
faults: 429s, single 5xx, bursts of 6-12 5xx, gateway drops, and SIGKILLs of the bot process (after
a tick, or in the middle of one, just before or just after Discord applied a request), each
followed by a fresh process on the same database after minutes or hours of downtime.

At the end faults stop, the clock runs on until the work due has settled, and `check` reads the
database and the emulator's channels for the invariants the issue asks for.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import os
import random
import re
import signal
import sqlite3
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import discord

from tests.emulator import DiscordEmulator
from tests.emulator.server import RecordedCall

ROOT = Path(__file__).resolve().parents[2]
ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "America/Los_Angeles",
)
START = datetime(2026, 10, 24, 0, 0, tzinfo=UTC)
"""A week that holds both autumn clock changes: Europe on 25 October, the US on 1 November."""
DRAIN = timedelta(hours=3)
ADMIN = discord.Permissions(manage_guild=True).value
DAYS = {"daily": set(range(7)), "mon-fri": set(range(5)), "sat,sun": {5, 6}}
DRILL_BUTTON = re.compile(r"^sb:drill:(\d+):(\d+)$")
SESSION_BUTTON = re.compile(r"^sb:session:(\d+):(\d+)$")
TIMESTAMP = re.compile(r"<t:(\d+):R>")
REPLY_WAIT = 3.5
"""Discord gives up on an interaction after 3 s; a reply later than that is a violation anyway."""
CHANNEL_CALL = re.compile(r"^/channels/\d+/messages")


@dataclass(frozen=True)
class SoakConfig:
    guilds: int = 10
    days: float = 2.0
    seed: int = 1
    faults: float = 1.0
    """Scales the fault mix: per simulated day, 24 transient REST faults, 3 gateway drops and 5
    hard kills at 1.0."""
    members: int = 4
    start: datetime = START


@dataclass(frozen=True)
class Violation:
    seed: int
    step: int
    clock: datetime
    what: str

    def __str__(self) -> str:
        return (
            f"seed {self.seed} step {self.step} at {self.clock:%Y-%m-%d %H:%M:%S} UTC: {self.what}"
        )


@dataclass
class SoakResult:
    config: SoakConfig
    violations: list[Violation] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    rss_kib: list[tuple[int, int]] = field(default_factory=list)
    """(simulated day, resident memory of the bot process) at each day's end."""
    seconds: float = 0.0


@dataclass(frozen=True)
class PlannedSchedule:
    guild: int
    channel: int
    kind: str
    time: str
    days: str
    zone: str
    size: int
    seconds: int


def make_deck(directory: Path) -> dict[str, str]:
    """A deck of products: every answer is a number, so a wrong one is plainly wrong."""
    directory.mkdir(parents=True, exist_ok=True)
    answers, lines = {}, ['name = "Times tables"', ""]
    for n, (a, b) in enumerate((a, b) for a in range(3, 10) for b in range(4, 10)):
        question = f"What is {a} times {b}?"
        answers[question] = str(a * b)
        lines += [
            "[[cards]]",
            f'id = "t{n}"',
            f'question = "{question}"',
            f'answer = "{a * b}"',
            f'accept = ["{a * b}"]',
            "",
        ]
    (directory / "tables.toml").write_text("\n".join(lines), encoding="utf-8")
    return answers


class BotDied(Exception):
    pass


class BotProcess:
    """One bot process: started, asked to tick, measured, killed."""

    def __init__(self, workdir: Path, emulator: DiscordEmulator) -> None:
        self.workdir = workdir
        self.emulator = emulator
        self.process: asyncio.subprocess.Process | None = None
        self.port = 0
        self.http: aiohttp.ClientSession | None = None
        self.starts = 0

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def start(self, now_ms: int) -> None:
        self.starts += 1
        log = (self.workdir / f"bot-{self.starts}.log").open("wb")  # the process writes to it
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.soak.bot_process",
            "--db",
            str(self.workdir / "bot.sqlite3"),
            "--decks",
            str(self.workdir / "decks"),
            "--api",
            self.emulator.api_base,
            "--gateway",
            self.emulator.gateway_url,
            "--start-ms",
            str(now_ms),
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=log,
        )
        log.close()
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), 60)
        if not line.startswith(b"CONTROL "):
            raise RuntimeError(f"the bot process did not start: {line!r}")
        self.port = int(line.split()[1])
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(aiohttp.ClientError):
                if (await self._call("GET", "ready"))["ready"]:
                    return
            await asyncio.sleep(0.02)
        log_tail = (self.workdir / f"bot-{self.starts}.log").read_text(errors="replace")[-3000:]
        raise RuntimeError(
            f"the bot process (start {self.starts}) did not become ready in 60 s; "
            f"alive: {self.alive}; its log ends:\n{log_tail}"
        )

    async def _call(self, method: str, path: str, body: Any = None) -> Any:
        assert self.http is not None
        async with self.http.request(
            method, f"http://127.0.0.1:{self.port}/{path}", json=body
        ) as response:
            response.raise_for_status()
            return await response.json()

    async def tick(self, now_ms: int) -> int | None:
        try:
            answer = await self._call("POST", "tick", {"now_ms": now_ms})
        except (TimeoutError, aiohttp.ClientError) as exc:
            await self._reap()
            raise BotDied from exc
        return answer["next_ms"]  # type: ignore[no-any-return]

    async def set_clock(self, now_ms: int) -> None:
        try:
            await self._call("POST", "clock", {"now_ms": now_ms})
        except aiohttp.ClientError as exc:
            await self._reap()
            raise BotDied from exc

    def kill(self) -> None:
        if self.alive:
            assert self.process is not None
            os.kill(self.process.pid, signal.SIGKILL)

    async def _reap(self) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                await asyncio.wait_for(self.process.wait(), 30)
        if self.http is not None:
            await self.http.close()
            self.http = None

    async def stop(self) -> None:
        if self.alive:
            assert self.process is not None
            self.process.send_signal(signal.SIGTERM)
        await self._reap()

    def rss_kib(self) -> int:
        if not self.alive:
            return 0
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]


@dataclass
class Answer:
    """A member's answer as sent: the modal submit's interaction and what the bot said."""

    interaction_id: int
    acknowledged: bool
    stored: bool
    """The reply was a verdict, so the bot says it recorded the answer."""


class Soak:
    def __init__(self, config: SoakConfig, workdir: Path) -> None:
        self.config = config
        self.workdir = workdir
        self.random = random.Random(config.seed)
        self.now = config.start
        self.end = config.start + timedelta(days=config.days)
        self.step = 0
        self.result = SoakResult(config)
        self.emulator = DiscordEmulator()
        self.bot = BotProcess(workdir, self.emulator)
        self.events: list[tuple[datetime, int, str, Callable[[], Awaitable[None]]]] = []
        self._sequence = 0
        self.next_tick: datetime | None = None
        self.answers: list[Answer] = []
        self.schedules: list[PlannedSchedule] = []
        self.members: dict[int, list[int]] = {}
        self.fresh_messages: list[dict[str, Any]] = []
        self.kill_armed: tuple[int, str] | None = None
        self.counts: dict[str, int] = {}
        self.deck_answers = make_deck(workdir / "decks")

    # ----------------------------------------------------------------- plumbing

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    def violation(self, what: str, at: datetime | None = None) -> None:
        self.result.violations.append(Violation(self.config.seed, self.step, at or self.now, what))

    def at(self, when: datetime, kind: str, action: Callable[[], Awaitable[None]]) -> None:
        self._sequence += 1
        heapq.heappush(self.events, (when, self._sequence, kind, action))

    def ms(self, instant: datetime | None = None) -> int:
        return int((instant or self.now).timestamp() * 1000)

    def _intercept(self, call: RecordedCall, phase: str) -> None:
        """A crash in the middle of a tick: the bot dies as Discord gets (or has just applied) one
        of its requests, so the bot never sees the answer."""
        if self.kill_armed is None or not CHANNEL_CALL.match(call.path):
            return
        left, when = self.kill_armed
        if when != phase:
            return
        if left > 1:
            self.kill_armed = (left - 1, when)
            return
        self.kill_armed = None
        self.count(f"kills mid-tick ({phase} a request)")
        self.bot.kill()

    # ----------------------------------------------------------------- the world

    def plan(self) -> None:
        for g in range(self.config.guilds):
            guild = self.emulator.add_guild(f"Guild {g}")
            admin = self.emulator.add_member(guild, f"admin{g}", permissions=ADMIN)
            self.members[guild] = [admin] + [
                self.emulator.add_member(guild, f"member{g}.{m}")
                for m in range(self.config.members)
            ]
            for _ in range(self.random.choice((2, 2, 3))):
                channel = self.emulator.add_channel(guild, f"study-{len(self.schedules)}")
                kind = "session" if self.random.random() < 0.3 else "drill"
                hour = self.random.choice((*range(24), 2, 2, 1, 1))  # DST nights are 01:00-03:00
                self.schedules.append(
                    PlannedSchedule(
                        guild=guild,
                        channel=channel,
                        kind=kind,
                        time=f"{hour:02d}:{self.random.choice(range(0, 60, 5)):02d}",
                        days=self.random.choice(("daily", "daily", "mon-fri", "sat,sun")),
                        zone=self.random.choice(ZONES),
                        size=self.random.randint(1, 5)
                        if kind == "drill"
                        else self.random.randint(2, 4),
                        seconds=self.random.choice((20, 30, 60)) if kind == "session" else 30,
                    )
                )

    async def create_schedules(self) -> None:
        for plan in self.schedules:
            options: dict[str, Any] = {
                "channel": plan.channel,
                "deck": "tables",
                "time": plan.time,
                "days": plan.days,
                "timezone": plan.zone,
            }
            if plan.kind == "drill":
                options["cards"] = plan.size
            else:
                options |= {"questions": plan.size, "seconds_per_question": plan.seconds}
            handle = await self.emulator.slash(
                "schedule",
                guild_id=plan.guild,
                channel_id=plan.channel,
                user_id=self.members[plan.guild][0],
                subcommand=plan.kind,
                options=options,
            )
            reply = await self.emulator.response_to(handle, timeout=30)
            if "Scheduled." not in reply.text():
                raise RuntimeError(f"could not schedule {plan}: {reply.text()}")

    def plan_faults(self) -> None:
        days = self.config.days
        level = self.config.faults
        for kind, per_day in (("transient", 24), ("drop", 3), ("kill", 5)):
            for _ in range(round(per_day * days * level)):
                when = self.config.start + timedelta(seconds=self.random.uniform(600, days * 86400))
                self.at(when, kind, self._fault(kind))
        for day in range(1, int(days) + 1):
            self.at(self.config.start + timedelta(days=day), "memory", self._sample_memory(day))

    def _fault(self, kind: str) -> Callable[[], Awaitable[None]]:
        async def transient() -> None:
            roll = self.random.random()
            method = self.random.choice(("POST", "POST", "PATCH", "GET"))
            path = r"^/interactions/" if roll < 0.1 else r"^/channels/\d+/messages"
            if roll < 0.35:
                self.count("429s")
                self.emulator.fail_next(
                    method, path, status=429, times=self.random.randint(1, 3), retry_after=0.01
                )
            elif roll < 0.7:
                self.count("single 503s")
                self.emulator.fail_next(method, path, status=503, times=1)
            else:
                self.count("5xx bursts")
                self.emulator.fail_next(
                    method,
                    r"^/channels/\d+/messages",
                    status=self.random.choice((500, 502, 503, 504)),
                    times=self.random.randint(6, 12),
                )

        async def drop() -> None:
            """A resumable close; the driver waits for the RESUME, since the emulator does not
            replay events a client missed while it was away (Discord does)."""
            if self.bot.alive:
                self.count("gateway drops")
                self.emulator.resumed.clear()
                await self.emulator.drop_connection()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.emulator.resumed.wait(), 10)

        async def kill() -> None:
            if not self.bot.alive:
                return
            if self.random.random() < 0.5:
                self.count("kills after a tick")
                self.bot.kill()
            else:
                self.kill_armed = (
                    self.random.randint(1, 4),
                    self.random.choice(("before", "after")),
                )

        return {"transient": transient, "drop": drop, "kill": kill}[kind]

    def _sample_memory(self, day: int) -> Callable[[], Awaitable[None]]:
        async def sample() -> None:
            if self.bot.alive:
                self.result.rss_kib.append((day, self.bot.rss_kib()))
            else:
                self.at(self.now + timedelta(minutes=10), "memory", sample)

        return sample

    # ----------------------------------------------------------------- members

    def look_at_channels(self) -> None:
        """Members see the new posts and plan when they answer them."""
        fresh, self.fresh_messages = self.fresh_messages, []
        for message in fresh:
            message_id = int(message["id"])
            if message.get("interaction_user") or not message.get("components"):
                continue
            buttons = [c["custom_id"] for row in message["components"] for c in row["components"]]
            embed = (message.get("embeds") or [{}])[0]
            text = str(embed.get("description", "")) + str(embed.get("fields", ""))
            closes = TIMESTAMP.search(text)
            closes_at = datetime.fromtimestamp(int(closes.group(1)), UTC) if closes else self.now
            guild = int(message["guild_id"])
            if DRILL_BUTTON.match(buttons[0]):
                questions = [f["value"] for f in embed.get("fields", [])]
                for custom_id, question in zip(buttons, questions, strict=False):
                    self._plan_answers(guild, message_id, custom_id, question, closes_at, hours=3)
            elif SESSION_BUTTON.match(buttons[0]):
                question = str(embed.get("description", ""))
                self._plan_answers(guild, message_id, buttons[0], question, closes_at, hours=0)

    def _plan_answers(
        self,
        guild: int,
        message_id: int,
        custom_id: str,
        question: str,
        closes_at: datetime,
        *,
        hours: int,
    ) -> None:
        right = self.deck_answers.get(question.replace("\\", ""), "?")
        window = (closes_at - self.now).total_seconds()
        for member in self.members[guild][1:]:
            if self.random.random() > 0.7:
                continue
            late = self.random.random() < 0.04
            delay = (
                window + self.random.uniform(5, 600)
                if late
                else self.random.uniform(1, max(2.0, min(window - 3, hours * 3600 or window - 3)))
            )
            text = (
                right
                if self.random.random() < 0.65
                else str(int(right) + 1)
                if right.isdigit()
                else "no idea"
            )
            when = self.now + timedelta(seconds=delay)
            self.at(when, "answer", self._answer(guild, message_id, custom_id, member, text))
            if self.random.random() < 0.05:
                self.at(
                    when + timedelta(seconds=3),
                    "answer",
                    self._answer(guild, message_id, custom_id, member, text),
                )

    def _answer(
        self, guild: int, message_id: int, custom_id: str, member: int, text: str
    ) -> Callable[[], Awaitable[None]]:
        async def answer() -> None:
            if not self.bot.alive:
                self.count("answers while the bot was down (not sent)")
                return
            await self.bot.set_clock(self.ms())
            emu = self.emulator
            try:
                click = await emu.click(message_id, custom_id, user_id=member)
            except LookupError:
                self.count("clicks on a post whose buttons are gone")
                return
            try:
                opened = await emu.response_to(click, timeout=REPLY_WAIT)
            except TimeoutError:
                self.count("clicks unanswered (bot killed or Discord failed)")
                return
            if opened.type != 9:
                self.count("clicks refused (closed or gone)")
                return
            channel = int(emu.model.messages[message_id]["channel_id"])
            submit = await emu.submit_modal(
                emu.modal_opened(click)["custom_id"],
                {"answer": text},
                user_id=member,
                guild_id=guild,
                channel_id=channel,
            )
            try:
                reply = await emu.response_to(submit, timeout=REPLY_WAIT)
            except TimeoutError:
                self.answers.append(Answer(submit.id, False, False))
                self.count("answers unacknowledged")
                return
            said = reply.text()
            stored = not any(
                phrase in said
                for phrase in ("already answered", "too late", "no longer exists", "Time was up")
            )
            self.answers.append(Answer(submit.id, True, stored))
            self.count("answers acknowledged and stored" if stored else "answers refused")

        return answer

    # ----------------------------------------------------------------- the run

    async def tick(self) -> None:
        try:
            following = await self.bot.tick(self.ms())
        except BotDied:
            await self.restart()
            return
        self.count("ticks")
        self.next_tick = (
            datetime.fromtimestamp(following / 1000, UTC) if following is not None else None
        )
        self.look_at_channels()

    async def restart(self) -> None:
        """The bot died: it comes back after a short outage, a long one, or one past the grace."""
        self.kill_armed = None
        await self.bot.stop()
        roll = self.random.random()
        minutes = (
            self.random.uniform(1, 10)
            if roll < 0.7
            else self.random.uniform(10, 90)
            if roll < 0.95
            else self.random.uniform(150, 240)
        )
        self.now += timedelta(minutes=minutes)
        while self.events and self.events[0][0] <= self.now:
            _, _, kind, action = heapq.heappop(self.events)
            if kind in ("memory", "transient"):
                await action()
        self.count("restarts")
        await self.bot.start(self.ms())
        await self.tick()

    async def run(self) -> SoakResult:
        began = time.monotonic()
        self.emulator.message_clock = lambda: self.now.timestamp()
        self.emulator.intercept = self._intercept
        self.emulator.on_message = lambda message: self.fresh_messages.append(message)
        await self.emulator.start()
        try:
            self.plan()
            await self.bot.start(self.ms())
            self.now += timedelta(seconds=1)
            await self.bot.set_clock(self.ms())
            await self.create_schedules()
            self.plan_faults()
            await self.tick()
            await self._loop(until=self.end, faults=True)
            self.emulator._failures.clear()
            self.kill_armed = None
            await self._loop(until=self.end + DRAIN, faults=False)
            await self.bot.stop()
            self.check()
        finally:
            await self.bot.stop()
            await self.emulator.stop()
        self.result.counts = dict(sorted(self.counts.items()))
        self.result.seconds = time.monotonic() - began
        return self.result

    async def _loop(self, *, until: datetime, faults: bool) -> None:
        late_seen = 0
        while True:
            self.step += 1
            upcoming = self.events[0][0] if self.events else None
            candidates = [t for t in (self.next_tick, upcoming) if t is not None]
            when = min(candidates) if candidates else until
            if when > until:
                self.now = until
                return
            self.now = max(self.now, when)
            if not self.bot.alive:
                await self.restart()
                continue
            if self.next_tick is not None and self.next_tick <= self.now:
                await self.tick()
            elif self.events and self.events[0][0] <= self.now:
                _, _, kind, action = heapq.heappop(self.events)
                if faults or kind in ("answer", "memory"):
                    try:
                        await action()
                    except BotDied:
                        await self.restart()
            if len(self.emulator.late_responses) > late_seen:
                late_seen = len(self.emulator.late_responses)
                self.violation("an interaction was answered later than 3 s")
            if not self.bot.alive:
                await self.restart()

    # ----------------------------------------------------------------- invariants

    def check(self) -> None:
        db = sqlite3.connect(self.workdir / "bot.sqlite3")
        db.row_factory = sqlite3.Row
        try:
            self._check_slots(db)
            self._check_drills(db)
            self._check_sessions(db)
            self._check_answers(db)
        finally:
            db.close()
        for where, problems in self.emulator.refusals:
            self.violation(f"Discord would refuse {where}: {problems}")
        for route in self.emulator.unknown_routes:
            self.violation(f"the bot called a route Discord does not have: {route}")
        for error in self.emulator.errors:
            self.violation(f"emulator error: {error}")
        self._check_memory()

    def _expected_slots(self, plan: PlannedSchedule, created: datetime) -> dict[str, datetime]:
        """Each local date's slot key and instant, worked out here with zoneinfo (fold 0)."""
        zone = ZoneInfo(plan.zone)
        hour, minute = (int(x) for x in plan.time.split(":"))
        first = (created - timedelta(days=1)).date()
        found = {}
        for offset in range(int(self.config.days) + 3):
            day = first + timedelta(days=offset)
            if day.weekday() not in DAYS[plan.days]:
                continue
            instant = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).astimezone(
                UTC
            )
            if created + timedelta(minutes=5) < instant <= self.end - timedelta(minutes=5):
                found[f"{date.isoformat(day)}T{plan.time}"] = instant
        return found

    def _check_slots(self, db: sqlite3.Connection) -> None:
        rows = db.execute("SELECT * FROM schedules ORDER BY id").fetchall()
        by_channel = {plan.channel: plan for plan in self.schedules}
        for row in rows:
            plan = by_channel[row["channel_id"]]
            created = datetime.fromtimestamp(row["created_at"] / 1000, UTC)
            fires = {
                f["slot"]: f
                for f in db.execute(
                    "SELECT * FROM schedule_fires WHERE schedule_id = ?", (row["id"],)
                )
            }
            for key, instant in self._expected_slots(plan, created).items():
                fire = fires.get(key)
                if fire is None:
                    self.violation(f"schedule {row['id']} slot {key} never fired", instant)
                    continue
                status = fire["status"]
                self.count(f"slots {status}")
                if status == "claimed":
                    self.violation(f"schedule {row['id']} slot {key} left claimed", instant)
                elif status in ("missed", "failed") and not fire["detail"]:
                    self.violation(
                        f"schedule {row['id']} slot {key} {status} without a reason", instant
                    )
            posted = [f for f in fires.values() if f["status"] == "posted"]
            if plan.kind == "drill":
                posts = [
                    m
                    for m in self.emulator.channel_messages(plan.channel)
                    if m["embeds"] and "Daily drill" in str(m["embeds"][0].get("title"))
                ]
                if len(posts) != len(posted):
                    self.violation(
                        f"schedule {row['id']}: {len(posts)} drill posts in its channel for "
                        f"{len(posted)} posted slots"
                    )
                linked = {
                    r["message_id"]
                    for r in db.execute(
                        "SELECT message_id FROM drills WHERE schedule_id = ? AND message_id IS NOT NULL",
                        (row["id"],),
                    )
                }
                if linked != {int(m["id"]) for m in posts}:
                    self.violation(
                        f"schedule {row['id']}: drill posts and stored message ids differ"
                    )

    def _check_drills(self, db: sqlite3.Connection) -> None:
        cutoff = self.ms(self.end + DRAIN - timedelta(minutes=10))
        for drill in db.execute("SELECT * FROM drills WHERE closes_at < ?", (cutoff,)):
            at = datetime.fromtimestamp(drill["closes_at"] / 1000, UTC)
            if drill["revealed_at"] is None:
                self.violation(f"drill {drill['id']} closed but never revealed", at)
                continue
            if drill["message_id"] is None:
                continue
            self.count("drills revealed")
            post = self.emulator.model.messages.get(drill["message_id"])
            if (
                post is None
                or "closed" not in str(post["embeds"][0].get("title"))
                or post["components"]
            ):
                self.violation(f"drill {drill['id']}: its post does not show the answers", at)
            elif "Drill closed" not in str(post["embeds"][0].get("description")):
                self.violation(f"drill {drill['id']}: its post does not show the results", at)

    def _check_sessions(self, db: sqlite3.Connection) -> None:
        for session in db.execute("SELECT * FROM study_sessions"):
            at = datetime.fromtimestamp(session["started_at"] / 1000, UTC)
            if session["status"] == "running" or session["results_posted_at"] is None:
                self.violation(f"session {session['id']} never reached its results table", at)
                continue
            self.count(f"sessions {session['status']}")
            footer = f"Session #{session['id']}"
            tables = [
                m
                for m in self.emulator.channel_messages(session["channel_id"])
                if any((e.get("footer") or {}).get("text") == footer for e in m["embeds"])
            ]
            if len(tables) != 1:
                self.violation(f"session {session['id']}: {len(tables)} results tables", at)
            for question in db.execute(
                "SELECT * FROM session_cards WHERE session_id = ? AND message_id IS NOT NULL",
                (session["id"],),
            ):
                post = self.emulator.model.messages.get(question["message_id"])
                if post is None or "closed" not in str(post["embeds"][0].get("title")):
                    self.violation(
                        f"session {session['id']} question {question['position'] + 1} not revealed",
                        at,
                    )
        for channel in {plan.channel for plan in self.schedules if plan.kind == "session"}:
            posts = {
                int(m["id"])
                for m in self.emulator.channel_messages(channel)
                if re.search(r"question \d+/\d+", str((m["embeds"] or [{}])[0].get("title")))
            }
            stored = {
                row[0]
                for row in db.execute(
                    "SELECT q.message_id FROM session_cards q JOIN study_sessions s"
                    " ON s.id = q.session_id WHERE s.channel_id = ? AND q.message_id IS NOT NULL",
                    (channel,),
                )
            }
            if posts != stored:
                self.violation(
                    f"channel {channel}: {len(posts)} session question posts, {len(stored)} stored"
                )

    def _check_answers(self, db: sqlite3.Connection) -> None:
        keys = {
            row[0]: row[1]
            for row in db.execute("SELECT attempt_key, COUNT(*) FROM attempts GROUP BY attempt_key")
        }
        for answer in self.answers:
            key = f"interaction:{answer.interaction_id}"
            if answer.stored and keys.get(key) != 1:
                self.violation(f"acknowledged answer {key} stored {keys.get(key, 0)} times")
            if answer.acknowledged and not answer.stored and key in keys:
                self.violation(f"refused answer {key} was stored")
        mismatched = db.execute(
            "SELECT t.guild_id, t.user_id, t.deck_id, t.points, t.attempts,"
            " COALESCE(SUM(a.points), 0) AS points_sum, COUNT(a.id) AS attempts_count"
            " FROM member_totals t LEFT JOIN attempts a ON a.guild_id = t.guild_id"
            " AND a.user_id = t.user_id AND a.deck_id = t.deck_id"
            " GROUP BY t.guild_id, t.user_id, t.deck_id"
            " HAVING t.points != points_sum OR t.attempts != attempts_count"
        ).fetchall()
        for row in mismatched:
            self.violation(
                f"member {row['user_id']}: {row['points']} points on the board, "
                f"{row['points_sum']} in the stored attempts"
            )

    def _check_memory(self) -> None:
        samples = dict(self.result.rss_kib)
        if 2 in samples and len(samples) > 2:
            last_day = max(samples)
            base, last = samples[2], samples[last_day]
            if last > base * 1.25 + 20_000:
                self.violation(
                    f"bot memory grew from {base // 1024} MiB on day 2 to {last // 1024} MiB on day {last_day}"
                )


def report(results: list[SoakResult]) -> str:
    """A table of what happened in each run, the memory samples, then every violation."""
    keys = sorted({k for r in results for k in r.counts})
    width = max(len(k) for k in keys) if keys else 10
    seeds = "".join(f"{'seed ' + str(r.config.seed):>12}" for r in results)
    lines = [f"{'':{width}}{seeds}"]
    for key in keys:
        lines.append(f"{key:{width}}" + "".join(f"{r.counts.get(key, 0):>12}" for r in results))
    lines.append(f"{'violations':{width}}" + "".join(f"{len(r.violations):>12}" for r in results))
    lines.append(f"{'wall seconds':{width}}" + "".join(f"{r.seconds:>12.0f}" for r in results))
    for r in results:
        memory = ", ".join(f"day {day}: {kib / 1024:.0f} MiB" for day, kib in r.rss_kib)
        lines.append(f"bot memory, seed {r.config.seed}: {memory or 'no sample'}")
    for r in results:
        lines += [str(v) for v in r.violations]
    return "\n".join(lines)


async def run_soak(config: SoakConfig, workdir: Path) -> SoakResult:
    return await Soak(config, workdir).run()
