"""Live study sessions: one card at a time in a channel, each open for a fixed number of seconds.

All state is in the database and the scheduler's tick moves a session on (close the question whose
deadline passed, award the fastest-correct bonus, ask the next or post the results), so a restart
simply carries on, or ends the session cleanly with results for what was played if it was down for
longer than the grace window.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from bot.decks import Card
from bot.domain import CardRef, SessionQuestion, SessionStatus, StudySession
from bot.repositories import Store
from bot.study.catalog import DeckCatalog
from bot.study.clock import Clock, from_ms, to_ms
from bot.study.delivery import DeliveryFailed, retrying
from bot.study.practice import AnswerResult, Member, StudyService
from bot.study.scoring import FASTEST_BONUS

log = logging.getLogger(__name__)


class QuestionClosed(Exception):
    pass


@dataclass(frozen=True)
class QuestionResult:
    question: SessionQuestion
    card: Card
    correct: int
    answered: int
    fastest: tuple[int, str] | None


@dataclass(frozen=True)
class Standing:
    user_id: int
    name: str
    points: int
    correct: int


class SessionPublisher(Protocol):
    async def ask_question(
        self, session: StudySession, question: SessionQuestion, card: Card, closes_at: datetime
    ) -> int: ...

    async def find_question(self, session: StudySession, question: SessionQuestion) -> int | None:
        """The message of an earlier try at asking this question, if Discord has it."""
        ...

    async def close_question(self, session: StudySession, result: QuestionResult) -> None: ...

    async def post_session_results(
        self, session: StudySession, standings: list[Standing], played: int
    ) -> int: ...

    async def find_session_results(self, session: StudySession) -> int | None: ...


class SessionService:
    def __init__(
        self, storage: Store, catalog: DeckCatalog, study: StudyService, clock: Clock
    ) -> None:
        self.storage = storage
        self.catalog = catalog
        self.study = study
        self.clock = clock

    def card(self, session: StudySession, question: SessionQuestion) -> Card | None:
        deck = self.catalog.get(session.guild_id, question.card.deck_id)
        if deck is None:
            return None
        try:
            return deck.card(question.card.card_id)
        except KeyError:
            return None

    async def start(
        self,
        *,
        guild_id: int,
        channel_id: int,
        schedule_id: int | None,
        cards: list[CardRef],
        seconds: int,
        slot: str | None = None,
    ) -> StudySession:
        return await self.storage.sessions.create(
            guild_id=guild_id,
            channel_id=channel_id,
            schedule_id=schedule_id,
            seconds_per_question=seconds,
            started_at_ms=to_ms(self.clock.now()),
            cards=cards,
            slot=slot,
        )

    async def open_question(
        self, session_id: int, position: int, guild_id: int
    ) -> tuple[SessionQuestion, Card]:
        """The question a member may answer now; LookupError if none, QuestionClosed if time is up."""
        session = await self.storage.sessions.get(session_id)
        if (
            session is None
            or session.guild_id != guild_id
            or not 0 <= position < len(session.questions)
        ):
            raise LookupError("no such session question")
        question = session.questions[position]
        card = self.card(session, question)
        if card is None:
            raise LookupError("that question's deck was removed")
        if (
            session.status != "running"
            or question.asked_at_ms is None
            or question.closed_at_ms is not None
            or (
                question.closes_at_ms is not None
                and to_ms(self.clock.now()) >= question.closes_at_ms
            )
        ):
            raise QuestionClosed("time is up for this question")
        self.study.expect(guild_id, question.card.deck_id)  # an answer is coming (Grader.expect)
        return question, card

    async def answer(
        self, session_id: int, position: int, member: Member, response: str, *, attempt_key: str
    ) -> AnswerResult:
        question, _ = await self.open_question(session_id, position, member.guild_id)
        return await self.study.answer(
            member,
            question.card.deck_id,
            question.card.card_id,
            response,
            attempt_key=attempt_key,
            context="session",
            context_id=session_id,
        )

    async def advance(self, session_id: int, publisher: SessionPublisher, grace: timedelta) -> None:
        """Move a running session on as far as the clock allows. A send Discord does not take stays
        pending for the next tick; a session that could not go on for the grace window ends early
        with results for what was played. Raises DeliveryFailed only for a permanent failure."""
        while True:
            session = await self.storage.sessions.get(session_id)
            if session is None or session.status != "running":
                return
            now = self.clock.now()
            pending = [q for q in session.questions if q.closed_at_ms is None]
            if not pending:
                await self.finish(session, publisher, "finished")
                return
            current = pending[0]
            card = self.card(session, current)
            if card is None:
                await self.storage.sessions.close_question(session.id, current.position, to_ms(now))
                continue
            if current.message_id is None:
                if now - self._waiting_since(session) > grace:
                    await self.finish(session, publisher, "aborted")
                    return
                await self._ask(session, current, card, publisher)
                return
            assert current.closes_at_ms is not None
            if to_ms(now) < current.closes_at_ms:
                return
            late = now - from_ms(current.closes_at_ms) > grace
            await self.storage.sessions.close_question(
                session.id, current.position, to_ms(now), FASTEST_BONUS
            )
            await self.reveal_question(session.id, current.position, publisher)
            if late:
                await self.finish(session, publisher, "aborted")
                return

    @staticmethod
    def _waiting_since(session: StudySession) -> datetime:
        """Since when the session has been waiting to ask its next question."""
        closed = [q.closed_at_ms for q in session.questions if q.closed_at_ms is not None]
        return from_ms(max([session.started_at_ms, *closed]))

    async def _ask(
        self,
        session: StudySession,
        question: SessionQuestion,
        card: Card,
        publisher: SessionPublisher,
    ) -> None:
        """Ask a question, or find the post of an earlier try that may have reached Discord. A try
        that did not is asked again with a fresh window, since nobody has seen the question."""
        earlier_tries = await self.storage.sessions.question_try(session.id, question.position)
        what = f"session {session.id} question {question.position + 1}"
        try:
            found = None
            if earlier_tries and question.asked_at_ms is not None:
                found = await retrying(lambda: publisher.find_question(session, question), what)
            if found is None:
                now = self.clock.now()
                closes_at = now + timedelta(seconds=session.seconds_per_question)
                await self.storage.sessions.ask(
                    session.id, question.position, to_ms(now), to_ms(closes_at)
                )
                asked = replace(question, asked_at_ms=to_ms(now), closes_at_ms=to_ms(closes_at))
                found = await retrying(
                    lambda: publisher.ask_question(session, asked, card, closes_at), what
                )
        except DeliveryFailed as exc:
            if exc.permanent:
                await self.finish(session, publisher, "aborted")
                raise
            log.warning("%s not posted yet: %s", what, exc.reason)
            return
        await self.storage.sessions.set_question_message(session.id, question.position, found)

    async def reveal_question(
        self, session_id: int, position: int, publisher: SessionPublisher
    ) -> None:
        """Edit a closed question's post to show the answer; pending again on a passing failure."""
        session = await self.storage.sessions.get(session_id)
        if session is None:
            return
        question = session.questions[position]
        card = self.card(session, question)
        if question.message_id is not None and card is not None:
            attempts = [
                a
                for a in await self.storage.attempts.for_context("session", session.id)
                if (a.deck_id, a.card_id) == (question.card.deck_id, question.card.card_id)
            ]
            correct = [a for a in attempts if a.outcome == "correct"]
            fastest = None
            if correct:
                first = correct[0]
                names = await self.storage.stats.names(session.guild_id, [first.user_id])
                fastest = (first.user_id, names.get(first.user_id, ""))
            result = QuestionResult(question, card, len(correct), len(attempts), fastest)
            try:
                await retrying(
                    lambda: publisher.close_question(session, result),
                    f"session {session.id} reveal {position + 1}",
                )
            except DeliveryFailed as exc:
                log.warning(
                    "session %d question %d not revealed yet: %s",
                    session.id,
                    position + 1,
                    exc.reason,
                )
                if not exc.permanent:
                    return
        await self.storage.sessions.mark_question_revealed(
            session.id, position, to_ms(self.clock.now())
        )

    async def finish(
        self, session: StudySession, publisher: SessionPublisher, status: SessionStatus
    ) -> None:
        await self.storage.sessions.finish(session.id, status, to_ms(self.clock.now()))
        await self.report(session.id, publisher)

    async def report(self, session_id: int, publisher: SessionPublisher) -> None:
        """Post an ended session's results table once Discord takes it; a retry first looks for
        the table an earlier try may have posted."""
        session = await self.storage.sessions.get(session_id)
        if session is None or session.status == "running" or session.results_posted_at_ms:
            return
        earlier_tries = await self.storage.sessions.results_try(session.id)
        attempts = await self.storage.attempts.for_context("session", session.id)
        totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for attempt in attempts:
            totals[attempt.user_id][0] += attempt.points
            totals[attempt.user_id][1] += attempt.outcome == "correct"
        names = await self.storage.stats.names(session.guild_id, list(totals))
        standings = sorted(
            (
                Standing(uid, names.get(uid, ""), points, correct)
                for uid, (points, correct) in totals.items()
            ),
            key=lambda s: (-s.points, -s.correct, s.user_id),
        )
        played = sum(1 for q in session.questions if q.message_id is not None)

        async def send() -> int:
            if earlier_tries:
                found = await publisher.find_session_results(session)
                if found is not None:
                    return found
            return await publisher.post_session_results(session, standings, played)

        try:
            await retrying(send, f"session {session.id} results")
        except DeliveryFailed as exc:
            log.warning("session %d results not posted yet: %s", session.id, exc.reason)
            if not exc.permanent:
                return
        await self.storage.sessions.mark_results_posted(session.id, to_ms(self.clock.now()))
