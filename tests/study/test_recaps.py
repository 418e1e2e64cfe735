"""The weekly recap on the services, with a stand-in for Discord, on each backend: what a week's
recap shows (top members, the most improved against the week before, the weakest cards with their
answers, seven days for the chart), and its post: once per slot across two processes, nothing
before its slot or on other days, once across the fall-back night, a channel the bot may not post
in pausing only that recap, a passing failure tried again, a slot past its grace skipped.

The same end to end through the emulator is in tests/e2e/test_recaps.py."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.decks import DeckLibrary
from bot.domain import NewAttempt, Recap
from bot.storage import Storage
from bot.study.catalog import DeckCatalog
from bot.study.clock import ManualClock, to_ms
from bot.study.delivery import DeliveryFailed
from bot.study.periods import local_day, zone
from bot.study.recaps import RecapService, WeeklyRecap
from bot.study.slots import BadSchedule

GUILD, OTHER = 10, 20
CHANNEL, CHANNEL_2 = 100, 200
ADA, BOB, CY = 1, 2, 3
DECK = "cnn-architectures"
BERLIN = "Europe/Berlin"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


class Poster:
    """Stands in for Discord: what was posted where, and failures to inject."""

    def __init__(self) -> None:
        self.posts: list[tuple[int, WeeklyRecap, str]] = []
        self.fail: list[Exception] = []

    async def post_recap(self, recap: Recap, content: WeeklyRecap, nonce: str) -> int:
        if self.fail:
            raise self.fail.pop(0)
        self.posts.append((recap.channel_id, content, nonce))
        return 9000 + len(self.posts)


class Answers:
    def __init__(self, storage: Storage, library: DeckLibrary) -> None:
        self.storage = storage
        self.cards = [c.id for c in library.decks[DECK].cards]
        self.n = 0

    async def add(
        self, user: int, when: datetime, card: int, right: bool, guild: int = GUILD
    ) -> None:
        self.n += 1
        tz = zone((await self.storage.guilds.get(guild)).timezone)
        await self.storage.attempts.record(
            NewAttempt(
                attempt_key=f"a-{self.n}",
                guild_id=guild,
                user_id=user,
                display_name=f"member {user}",
                deck_id=DECK,
                card_id=self.cards[card],
                context="quiz",
                context_id=None,
                response="x",
                outcome="correct" if right else "wrong",
                score=1.0 if right else 0.0,
                points=10 if right else 0,
                answered_at_ms=to_ms(when),
                local_day=local_day(when, tz),
            )
        )


def service(storage: Storage, library: DeckLibrary, clock: ManualClock) -> RecapService:
    return RecapService(storage, DeckCatalog(library), clock, retry_pauses=())


async def test_a_week_shows_top_members_the_most_improved_and_the_weakest_cards(
    storage: Storage, library: DeckLibrary
) -> None:
    clock = ManualClock(utc(2026, 3, 9, 8, 0))
    await storage.guilds.set_timezone(GUILD, BERLIN, 0)
    answers = Answers(storage, library)
    # The week before (23 Feb - 1 Mar): Bob 1 of 4 right, Ada 3 of 3.
    for i in range(4):
        await answers.add(BOB, utc(2026, 2, 24, 10, i), 1, right=i == 0)
    for i in range(3):
        await answers.add(ADA, utc(2026, 2, 25, 10, i), 2, right=True)
    # The week (2 - 8 Mar, Berlin): Ada 5 right, Bob 3 of 4 right, Cy (new) 1 of 3; card 0 is
    # missed by everyone but Ada; card 1 only twice answered.
    for i in range(5):
        await answers.add(ADA, utc(2026, 3, 2, 9, i), 0 if i == 0 else 2, right=True)
    for i in range(4):
        await answers.add(BOB, utc(2026, 3, 4, 12, i), 0 if i == 0 else 3, right=i != 0)
    await answers.add(CY, utc(2026, 3, 8, 22, 30), 0, right=False)  # 23:30 Sunday in Berlin
    await answers.add(CY, utc(2026, 3, 8, 22, 31), 1, right=False)
    await answers.add(CY, utc(2026, 3, 8, 22, 32), 1, right=True)
    await answers.add(ADA, utc(2026, 3, 8, 23, 30), 0, right=False)  # Monday 00:30: next week
    await answers.add(OTHER, utc(2026, 3, 3, 9, 0), 0, right=False, guild=OTHER)

    recap = await service(storage, library, clock).week(GUILD, date(2026, 3, 2))
    assert recap.answers == 12 and recap.correct == 9 and recap.members == 3
    assert [(m.user_id, m.points) for m in recap.top] == [(ADA, 50), (BOB, 30), (CY, 10)]
    assert recap.improved is not None and recap.improved.user_id == BOB
    assert (recap.improved.accuracy_before, recap.improved.accuracy_now) == (0.25, 0.75)
    card = library.decks[DECK].cards[0]
    assert [(c.card_id, c.attempts, c.correct) for c in recap.weakest] == [(card.id, 3, 1)]
    assert recap.weakest[0].answer == card.answer
    assert [d.attempts for d in recap.daily] == [5, 0, 4, 0, 0, 0, 3]
    assert recap.last_day == date(2026, 3, 8)

    empty = await service(storage, library, clock).week(GUILD, date(2026, 1, 5))
    assert empty.answers == 0 and empty.top == () and empty.improved is None


async def test_a_recap_posts_once_at_its_slot_across_two_processes(
    storage: Storage, library: DeckLibrary
) -> None:
    clock = ManualClock(utc(2026, 3, 2, 10, 0))
    await storage.guilds.set_timezone(GUILD, BERLIN, 0)
    first, second = service(storage, library, clock), service(storage, library, clock)
    recap = await first.save(GUILD, CHANNEL, by=ADA)  # default: Monday 09:00
    assert (recap.weekday, recap.local_time) == (0, "09:00")
    assert await first.next_post(recap) == utc(2026, 3, 9, 8, 0)
    await Answers(storage, library).add(ADA, utc(2026, 3, 3, 9, 0), 0, right=True)
    poster = Poster()
    for day in range(3, 9):  # Tuesday to Sunday: nothing
        clock.set(utc(2026, 3, day, 8, 0))
        assert (await first.tick(poster)).posted == []
    clock.set(utc(2026, 3, 9, 7, 59))  # 08:59 in Berlin
    assert (await first.tick(poster)).posted == []
    clock.set(utc(2026, 3, 9, 8, 0))
    reports = [await first.tick(poster), await second.tick(poster)]
    assert [r.posted for r in reports] == [[(GUILD, CHANNEL, "2026-03-09T09:00")], []]
    assert len(poster.posts) == 1
    channel, content, nonce = poster.posts[0]
    assert channel == CHANNEL and content.first_day == date(2026, 3, 2)
    assert content.top[0].user_id == ADA and len(nonce) <= 25
    clock.set(utc(2026, 3, 10, 8, 0))
    assert (await second.tick(poster)).posted == []
    assert [(p.slot, p.status) for p in await storage.recaps.posts(GUILD, CHANNEL)] == [
        ("2026-03-09T09:00", "posted")
    ]


async def test_the_fall_back_night_posts_once(storage: Storage, library: DeckLibrary) -> None:
    clock = ManualClock(utc(2026, 10, 20, 12, 0))
    await storage.guilds.set_timezone(GUILD, BERLIN, 0)
    recaps = service(storage, library, clock)
    await recaps.save(GUILD, CHANNEL, day="sunday", at="02:30", by=ADA)
    poster = Poster()
    clock.set(utc(2026, 10, 25, 0, 30))  # 02:30 CEST, the first of the two
    assert len((await recaps.tick(poster)).posted) == 1
    clock.set(utc(2026, 10, 25, 1, 30))  # 02:30 CET, the repeated hour
    assert (await recaps.tick(poster)).posted == []
    assert len(poster.posts) == 1


async def test_a_channel_the_bot_may_not_post_in_pauses_only_that_recap(
    storage: Storage, library: DeckLibrary
) -> None:
    clock = ManualClock(utc(2026, 3, 2, 10, 0))
    recaps = service(storage, library, clock)
    await recaps.save(GUILD, CHANNEL, by=ADA)
    await recaps.save(GUILD, CHANNEL_2, by=ADA)
    poster = Poster()
    reason = "the bot may not post in <#100>"
    poster.fail = [DeliveryFailed(reason, permanent=True)]
    clock.set(utc(2026, 3, 9, 9, 0))
    report = await recaps.tick(poster)
    assert report.paused == [(GUILD, CHANNEL, reason)]
    assert report.posted == [(GUILD, CHANNEL_2, "2026-03-09T09:00")]
    by_channel = {r.channel_id: r for r in await recaps.in_guild(GUILD)}
    assert by_channel[CHANNEL].paused_reason == reason and not by_channel[CHANNEL_2].paused
    clock.set(utc(2026, 3, 16, 9, 0))
    assert (await recaps.tick(poster)).posted == [(GUILD, CHANNEL_2, "2026-03-16T09:00")]
    # Setting it again resumes it from the next slot.
    resumed = await recaps.save(GUILD, CHANNEL, day="mon", at="10:00", by=ADA)
    assert not resumed.paused
    clock.set(utc(2026, 3, 16, 10, 0))
    assert (await recaps.tick(poster)).posted == [(GUILD, CHANNEL, "2026-03-16T10:00")]


async def test_a_passing_failure_is_tried_again_and_a_late_slot_skipped(
    storage: Storage, library: DeckLibrary
) -> None:
    clock = ManualClock(utc(2026, 3, 2, 10, 0))
    recaps = service(storage, library, clock)
    await recaps.save(GUILD, CHANNEL, day="Tue", at="18:00", by=ADA)
    poster = Poster()
    poster.fail = [DeliveryFailed("Discord could not take the recap (503)", permanent=False)]
    clock.set(utc(2026, 3, 3, 18, 0))
    assert (await recaps.tick(poster)).posted == []
    clock.advance(timedelta(minutes=1))
    assert (await recaps.tick(poster)).posted == [(GUILD, CHANNEL, "2026-03-03T18:00")]
    # The bot was down through the next Tuesday's slot and far past its grace: no late recap.
    clock.set(utc(2026, 3, 11, 12, 0))
    assert (await recaps.tick(poster)).posted == []
    assert len(poster.posts) == 1


async def test_bad_days_and_times_are_refused(storage: Storage, library: DeckLibrary) -> None:
    recaps = service(storage, library, ManualClock(utc(2026, 3, 2, 10, 0)))
    for day, at in (("someday", None), (None, "25:00")):
        try:
            await recaps.save(GUILD, CHANNEL, day=day, at=at, by=ADA)
        except BadSchedule:
            continue
        raise AssertionError(f"{day} {at} was accepted")
    assert await recaps.in_guild(GUILD) == []
    assert not await recaps.remove(GUILD, CHANNEL)
