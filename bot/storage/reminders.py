"""Members' due-card reminders, the fire of each local day, and a member's own time zone."""

from __future__ import annotations

from bot.domain import DEFAULT_TIMEZONE, DueCards, FireStatus, Reminder, ReminderFire
from bot.storage.sql import Executor, Row, Script, execute, one

_REMINDER = (
    "SELECT r.guild_id, r.user_id, r.local_time, r.days, r.status, r.off_reason, r.told_at,"
    " r.since, COALESCE(m.timezone, g.timezone, ?) AS timezone FROM reminders r"
    " LEFT JOIN members m ON m.guild_id = r.guild_id AND m.user_id = r.user_id"
    " LEFT JOIN guilds g ON g.guild_id = r.guild_id"
)


def _reminder(row: Row) -> Reminder:
    return Reminder(
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        local_time=row["local_time"],
        days=row["days"],
        timezone=row["timezone"],
        on=row["status"] == "on",
        off_reason=row["off_reason"],
        told=row["told_at"] is not None,
        since_ms=row["since"],
    )


def _fire(row: Row) -> ReminderFire:
    return ReminderFire(
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        local_date=row["local_date"],
        slot=row["slot"],
        slot_at_ms=row["slot_at"],
        status=row["status"],
        detail=row["detail"],
        tries=row["tries"],
    )


class ReminderRepository:
    def __init__(self, db: Executor) -> None:
        self.db = db

    async def set(
        self,
        guild_id: int,
        user_id: int,
        display_name: str,
        local_time: str,
        days: str,
        now_ms: int,
    ) -> Reminder:
        """Turn the member's reminder on at this time and on these days (a reason it was turned
        off goes with it)."""

        def op() -> Script[None]:
            yield from execute(
                "INSERT INTO reminders (guild_id, user_id, local_time, days, since)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET"
                " local_time = excluded.local_time, days = excluded.days, status = 'on',"
                " off_reason = NULL, told_at = NULL, since = excluded.since",
                (guild_id, user_id, local_time, days, now_ms),
            )
            yield from _member(guild_id, user_id, display_name, now_ms)

        await self.db.write(op)
        found = await self.get(guild_id, user_id)
        assert found is not None
        return found

    async def get(self, guild_id: int, user_id: int) -> Reminder | None:
        row = await self.db.fetchone(
            f"{_REMINDER} WHERE r.guild_id = ? AND r.user_id = ?",
            (DEFAULT_TIMEZONE, guild_id, user_id),
        )
        return _reminder(row) if row else None

    async def turn_off(self, guild_id: int, user_id: int, reason: str | None, now_ms: int) -> bool:
        """Off, by the member (no reason) or by the bot (a reason to tell them); False if the
        member has no reminder that is on."""

        def op() -> Script[bool]:
            changed = yield from execute(
                "UPDATE reminders SET status = 'off', off_reason = ?, told_at = ?"
                " WHERE guild_id = ? AND user_id = ? AND status = 'on'",
                (reason, None if reason else now_ms, guild_id, user_id),
            )
            return changed > 0

        return await self.db.write(op)

    async def mark_told(self, guild_id: int, user_id: int, now_ms: int) -> bool:
        """Record that the member was told why their reminder is off; False if they already were
        (so two commands at once tell them once)."""

        def op() -> Script[bool]:
            changed = yield from execute(
                "UPDATE reminders SET told_at = ? WHERE guild_id = ? AND user_id = ?"
                " AND told_at IS NULL",
                (now_ms, guild_id, user_id),
            )
            return changed > 0

        return await self.db.write(op)

    async def member_timezone(self, guild_id: int, user_id: int) -> str | None:
        row = await self.db.fetchone(
            "SELECT timezone FROM members WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        return row["timezone"] if row else None

    async def set_member_timezone(
        self, guild_id: int, user_id: int, display_name: str, timezone: str, now_ms: int
    ) -> None:
        def op() -> Script[None]:
            yield from _member(guild_id, user_id, display_name, now_ms)
            yield from execute(
                "UPDATE members SET timezone = ? WHERE guild_id = ? AND user_id = ?",
                (timezone, guild_id, user_id),
            )

        await self.db.write(op)

    async def active(self) -> list[Reminder]:
        rows = await self.db.fetchall(
            f"{_REMINDER} WHERE r.status = 'on' ORDER BY r.guild_id, r.user_id",
            (DEFAULT_TIMEZONE,),
        )
        return [_reminder(row) for row in rows]

    async def last_fires(self) -> dict[tuple[int, int], int]:
        rows = await self.db.fetchall(
            "SELECT guild_id, user_id, MAX(slot_at) FROM reminder_fires GROUP BY guild_id, user_id"
        )
        return {(int(r[0]), int(r[1])): int(r[2]) for r in rows}

    async def claim(
        self,
        guild_id: int,
        user_id: int,
        local_date: str,
        slot: str,
        slot_at_ms: int,
        now_ms: int,
    ) -> bool:
        """Claim the member's reminder of one local day; True for the one claim that wins."""

        def op() -> Script[bool]:
            row = yield from one(
                "INSERT INTO reminder_fires"
                " (guild_id, user_id, local_date, slot, slot_at, claimed_at)"
                " VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (guild_id, user_id, local_date) DO NOTHING RETURNING slot",
                (guild_id, user_id, local_date, slot, slot_at_ms, now_ms),
            )
            return row is not None

        return await self.db.write(op)

    async def mark(
        self,
        guild_id: int,
        user_id: int,
        local_date: str,
        status: FireStatus,
        detail: str | None = None,
    ) -> None:
        def op() -> Script[None]:
            yield from execute(
                "UPDATE reminder_fires SET status = ?, detail = COALESCE(?, detail)"
                " WHERE guild_id = ? AND user_id = ? AND local_date = ?",
                (status, detail, guild_id, user_id, local_date),
            )

        await self.db.write(op)

    async def fire_try(self, guild_id: int, user_id: int, local_date: str) -> int:
        """Count a try at sending; returns how many tries came before it."""

        def op() -> Script[int]:
            row = yield from one(
                "UPDATE reminder_fires SET tries = tries + 1"
                " WHERE guild_id = ? AND user_id = ? AND local_date = ? RETURNING tries",
                (guild_id, user_id, local_date),
            )
            return int(row[0]) - 1 if row else 0

        return await self.db.write(op)

    async def claimed(self) -> list[ReminderFire]:
        rows = await self.db.fetchall(
            "SELECT * FROM reminder_fires WHERE status = 'claimed' ORDER BY slot_at"
        )
        return [_fire(row) for row in rows]

    async def fires(self, guild_id: int, user_id: int) -> list[ReminderFire]:
        rows = await self.db.fetchall(
            "SELECT * FROM reminder_fires WHERE guild_id = ? AND user_id = ? ORDER BY local_date",
            (guild_id, user_id),
        )
        return [_fire(row) for row in rows]

    async def due_cards(self, guild_id: int, user_id: int, now_ms: int) -> list[DueCards]:
        rows = await self.db.fetchall(
            "SELECT deck_id, COUNT(*) AS cards, MIN(due) AS earliest FROM srs_cards"
            " WHERE guild_id = ? AND user_id = ? AND due <= ? GROUP BY deck_id"
            " ORDER BY cards DESC, earliest, deck_id",
            (guild_id, user_id, now_ms),
        )
        return [DueCards(r["deck_id"], int(r["cards"]), int(r["earliest"])) for r in rows]


def _member(guild_id: int, user_id: int, display_name: str, now_ms: int) -> Script[None]:
    yield from execute(
        "INSERT INTO members (guild_id, user_id, display_name, first_seen) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (guild_id, user_id) DO UPDATE SET display_name = excluded.display_name",
        (guild_id, user_id, display_name, now_ms),
    )
