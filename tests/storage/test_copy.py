"""copy-db: a SQLite history moves into PostgreSQL whole, and copying again changes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.domain import CardRef, ScheduleSpec, StoredDeck
from bot.storage import Storage
from bot.storage.copy import CopyError, copy_database, main
from bot.study.srs import Rating, review
from tests.storage.test_attempts import NOW, attempt

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)

GUILD = 1_234_567_890_123_456_789
ADA = 876_543_210_987_654_321


@pytest.fixture(autouse=True)
def needs_a_server(backend: str) -> None:
    from tests.conftest import TEST_DATABASE_URL

    if not TEST_DATABASE_URL:
        pytest.skip("TEST_DATABASE_URL names no PostgreSQL server")


@pytest.fixture
async def history(tmp_path: Path) -> AsyncIterator[Path]:
    """A SQLite database with some of everything the bot keeps."""
    path = tmp_path / "old.sqlite3"
    storage = await Storage.open(path)
    try:
        await storage.guilds.set_timezone(GUILD, "Europe/Berlin", 1)
        schedule = await storage.schedules.create(
            ScheduleSpec(GUILD, 42, "drill", ("deck",), "09:00", "daily", "UTC", 2, 30, ADA), 5
        )
        await storage.schedules.claim_slot(schedule.id, "2026-03-02T09:00", 10, 10)
        await storage.schedules.set_paused(schedule.id, GUILD, True, "the channel went away")
        drill = await storage.drills.create(
            guild_id=GUILD,
            channel_id=42,
            schedule_id=schedule.id,
            opened_at_ms=10,
            closes_at_ms=20,
            cards=[CardRef("deck", "a"), CardRef("deck", "b")],
            slot="2026-03-02T09:00",
        )
        await storage.drills.set_message(drill.id, 1_111_111_111_111_111_111)
        session = await storage.sessions.create(
            guild_id=GUILD,
            channel_id=42,
            schedule_id=None,
            seconds_per_question=30,
            started_at_ms=30,
            cards=[CardRef("deck", "a")],
        )
        for n in range(5):
            await storage.attempts.record(
                attempt(
                    f"k{n}",
                    guild_id=GUILD,
                    user_id=ADA,
                    card_id=f"c{n}",
                    outcome="correct" if n % 2 else "close",
                    points=10 if n % 2 else 0,
                ),
                lambda prev: review(prev, Rating.Good, NOW),
            )
        close = await storage.attempts.by_key("k0")
        assert close is not None
        claim = await storage.answers.file_claim(close.id, 50)
        await storage.answers.decide(
            claim.id, GUILD, approve=True, decided_by=ADA, now_ms=60, points=10
        )
        await storage.rounds.create(GUILD, ADA, "deck", ["a", "b"], {"b"}, 70)
        await storage.guild_decks.save(StoredDeck(GUILD, "mine", "Mine", 'name = "Mine"'), ADA, 80)
        await storage.sessions.finish(session.id, "finished", 90)
    finally:
        await storage.close()
    return path


async def test_a_history_is_copied_whole_and_a_second_copy_adds_nothing(
    history: Path, database_url: str
) -> None:
    report = await copy_database(history, database_url)
    counts = {t.table: (t.source_rows, t.target_rows, t.copied) for t in report}
    assert counts["attempts"] == (5, 5, 5)
    assert counts["member_totals"][0] == counts["member_totals"][1] == 1
    assert all(t.source_rows == t.target_rows for t in report)

    again = await copy_database(f"sqlite:///{history}", database_url)
    assert [t.copied for t in again] == [0] * len(again)

    old, new = await Storage.open(history), await Storage.open(database_url)
    try:
        assert await new.guilds.get(GUILD) == await old.guilds.get(GUILD)
        assert await new.schedules.for_guild(GUILD) == await old.schedules.for_guild(GUILD)
        assert (await new.schedules.for_guild(GUILD))[0].paused is True
        assert await new.schedules.fires(1) == await old.schedules.fires(1)
        assert await new.drills.get(1) == await old.drills.get(1)
        assert await new.sessions.get(1) == await old.sessions.get(1)
        assert await new.rounds.get(1) == await old.rounds.get(1)
        assert await new.guild_decks.all() == await old.guild_decks.all()
        assert await new.answers.accepted(GUILD, "deck", "c0") == ["LeCun"]
        assert await new.srs.get(GUILD, ADA, "deck", "c3") == await old.srs.get(
            GUILD, ADA, "deck", "c3"
        )
        assert await new.stats.leaders(
            GUILD, start_ms=None, end_ms=None
        ) == await old.stats.leaders(GUILD, start_ms=None, end_ms=None)
        assert await new.stats.member_totals(GUILD, ADA) == await old.stats.member_totals(
            GUILD, ADA
        )
        # The bot goes on where the copy ended: new ids do not collide with copied ones.
        fresh = await new.attempts.record(attempt("after-the-move", guild_id=GUILD, user_id=ADA))
        assert fresh.created
        assert fresh.attempt.id == 6
    finally:
        await old.close()
        await new.close()


async def test_a_target_holding_other_data_is_refused_and_left_as_it_was(
    history: Path, database_url: str
) -> None:
    other = await Storage.open(database_url)
    try:
        await other.attempts.record(attempt("someone-elses", guild_id=5))
    finally:
        await other.close()
    with pytest.raises(CopyError, match="members differs from its source"):
        await copy_database(history, database_url)
    after = await Storage.open(database_url)
    try:
        assert await after.attempts.count(GUILD) == 0
        assert await after.attempts.count(5) == 1
    finally:
        await after.close()


def test_the_command_line_reports_each_table(
    history: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(history), database_url]) == 0
    out = capsys.readouterr().out
    assert "attempts" in out
    assert "every table's row count matches its source" in out
    assert main([str(history), "mysql://nowhere/x"]) == 1
