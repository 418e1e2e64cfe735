"""Live study sessions: one card at a time in a channel, each open for a fixed number of seconds.

All state is in the database and the scheduler's tick moves a session on (close the question whose
deadline passed, award the fastest-correct bonus, ask the next or post the results), so a restart
simply carries on, or ends the session cleanly with results for what was played if it was down for
longer than the grace window.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.decks import Card
from bot.storage import Storage
from bot.storage.schedules import CardRef, SessionQuestion, StudySession
from bot.study.catalog import DeckCatalog
from bot.study.clock import Clock, from_ms, to_ms
from bot.study.practice import AnswerResult, Member, StudyService
from bot.study.scoring import FASTEST_BONUS


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

    async def close_question(self, session: StudySession, result: QuestionResult) -> None: ...

    async def post_session_results(
        self, session: StudySession, standings: list[Standing], played: int
    ) -> None: ...


class SessionService:
    def __init__(
        self, storage: Storage, catalog: DeckCatalog, study: StudyService, clock: Clock
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
    ) -> StudySession:
        return await self.storage.sessions.create(
            guild_id=guild_id,
            channel_id=channel_id,
            schedule_id=schedule_id,
            seconds_per_question=seconds,
            started_at_ms=to_ms(self.clock.now()),
            cards=cards,
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
        """Move a running session on as far as the clock allows."""
        while True:
            session = await self.storage.sessions.get(session_id)
            if session is None or session.status != "running":
                return
            now = self.clock.now()
            pending = [q for q in session.questions if q.closed_at_ms is None]
            current = pending[0] if pending else None
            if current is None:
                await self._finish(session, publisher, "finished")
                return
            if current.asked_at_ms is None or current.message_id is None:
                card = self.card(session, current)
                if card is None:
                    await self.storage.sessions.close_question(
                        session.id, current.position, to_ms(now)
                    )
                    continue
                if current.asked_at_ms is None:
                    closes_at = now + timedelta(seconds=session.seconds_per_question)
                    await self.storage.sessions.ask(
                        session.id, current.position, to_ms(now), to_ms(closes_at)
                    )
                else:
                    # Asked, but the bot stopped before its message was stored: post again;
                    # the post's nonce makes Discord hand back the first one if it went out.
                    assert current.closes_at_ms is not None
                    closes_at = from_ms(current.closes_at_ms)
                message_id = await publisher.ask_question(session, current, card, closes_at)
                await self.storage.sessions.set_question_message(
                    session.id, current.position, message_id
                )
                return
            assert current.closes_at_ms is not None
            if to_ms(now) < current.closes_at_ms:
                return
            late = now - from_ms(current.closes_at_ms) > grace
            await self._close_question(session, current, publisher)
            if late:
                await self._finish(session, publisher, "aborted")
                return

    async def _close_question(
        self, session: StudySession, question: SessionQuestion, publisher: SessionPublisher
    ) -> None:
        if not await self.storage.sessions.close_question(
            session.id, question.position, to_ms(self.clock.now())
        ):
            return
        attempts = [
            a
            for a in await self.storage.attempts.for_context("session", session.id)
            if (a.deck_id, a.card_id) == (question.card.deck_id, question.card.card_id)
        ]
        correct = [a for a in attempts if a.outcome == "correct"]
        fastest = None
        if correct:
            first = correct[0]
            await self.storage.attempts.add_points(first.id, FASTEST_BONUS)
            names = await self.storage.stats.names(session.guild_id, [first.user_id])
            fastest = (first.user_id, names.get(first.user_id, ""))
        card = self.card(session, question)
        if card is not None:
            await publisher.close_question(
                session, QuestionResult(question, card, len(correct), len(attempts), fastest)
            )

    async def _finish(
        self, session: StudySession, publisher: SessionPublisher, status: str
    ) -> None:
        if not await self.storage.sessions.finish(
            session.id, "finished" if status == "finished" else "aborted", to_ms(self.clock.now())
        ):
            return
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
        played = sum(
            1
            for q in (await self.storage.sessions.get(session.id) or session).questions
            if q.asked_at_ms
        )
        await publisher.post_session_results(session, standings, played)
