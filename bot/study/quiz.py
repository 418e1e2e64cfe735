"""/quiz rounds: a member's personal practice, one card at a time, kept in the database so a round
survives a restart of the bot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.decks import Card
from bot.domain import AlreadyAnswered, Claim, QuizRound
from bot.repositories import Store
from bot.study.clock import to_ms
from bot.study.practice import (
    DEFAULT_MISSED_DAYS,
    AnswerResult,
    DeckOutlook,
    Member,
    MissedPlan,
    StudyService,
)

MAX_ROUND = 25


class NothingToStudy(LookupError):
    """The round would be empty; `outlook` says why and when cards come."""

    def __init__(self, deck_id: str, outlook: DeckOutlook) -> None:
        super().__init__(deck_id)
        self.deck_id = deck_id
        self.outlook = outlook


class NothingMissed(LookupError):
    """No card was answered wrong or close in the period asked about."""

    def __init__(self, plan: MissedPlan) -> None:
        super().__init__(plan.deck_id or "")
        self.plan = plan


class NotYours(PermissionError):
    pass


@dataclass(frozen=True)
class QuizAnswer:
    result: AnswerResult
    round: QuizRound
    card: Card


class QuizService:
    def __init__(self, study: StudyService, storage: Store) -> None:
        self.study = study
        self.storage = storage

    async def start(self, member: Member, deck_id: str, count: int) -> QuizRound:
        count = max(1, min(MAX_ROUND, count))
        self.study.expect(member.guild_id, deck_id)
        plan = await self.study.plan(member, deck_id, count)
        queue = plan.cards
        if not queue:
            raise NothingToStudy(deck_id, plan.outlook)
        return await self.storage.rounds.create(
            member.guild_id,
            member.user_id,
            deck_id,
            [q.card.id for q in queue],
            {q.card.id for q in queue if not q.due},
            to_ms(self.study.clock.now()),
        )

    async def start_missed(
        self,
        member: Member,
        deck_id: str | None,
        count: int = MAX_ROUND,
        *,
        days: int = DEFAULT_MISSED_DAYS,
    ) -> QuizRound:
        """A round of the cards the member missed in the last `days` days, the most recently
        missed first. It earns no points; the answers update the member's review schedule as any
        other. Raises UnknownDeck, or NothingMissed."""
        count = max(1, min(MAX_ROUND, count))
        plan = await self.study.missed(member, deck_id, count, days=days)
        if plan.deck_id is None or not plan.cards:
            raise NothingMissed(plan)
        self.study.expect(member.guild_id, plan.deck_id)
        ids = [card.id for card in plan.cards]
        return await self.storage.rounds.create(
            member.guild_id,
            member.user_id,
            plan.deck_id,
            ids,
            set(),
            to_ms(self.study.clock.now()),
            mode="missed",
        )

    async def outlook(self, quiz: QuizRound) -> DeckOutlook:
        """The member's outlook on the round's deck now (after the round, when more comes due)."""
        member = Member(quiz.guild_id, quiz.user_id)
        return await self.study.outlook(member, quiz.deck_id)

    async def get(self, round_id: int, user_id: int) -> QuizRound:
        found = await self.storage.rounds.get(round_id)
        if found is None:
            raise LookupError(f"no quiz round {round_id}")
        if found.user_id != user_id:
            raise NotYours("this quiz belongs to another member")
        return found

    def card(self, quiz: QuizRound, position: int | None = None) -> Card | None:
        index = quiz.position if position is None else position
        if quiz.finished or index >= len(quiz.card_ids):
            return None
        return self.study.card(quiz.guild_id, quiz.deck_id, quiz.card_ids[index])

    async def answer(
        self,
        quiz: QuizRound,
        position: int,
        member: Member,
        response: str,
        *,
        attempt_key: str,
        elapsed: timedelta | None = None,
    ) -> QuizAnswer | None:
        """Grade the answer to the card at `position`; None if that card is no longer current or
        was already answered (a second modal submitted at the same time)."""
        if quiz.finished or position != quiz.position or position >= len(quiz.card_ids):
            return None
        card_id = quiz.card_ids[position]
        try:
            result = await self.study.answer(
                member,
                quiz.deck_id,
                card_id,
                response,
                attempt_key=attempt_key,
                context="quiz",
                context_id=quiz.id,
                elapsed=elapsed,
                scored=quiz.mode != "missed",
            )
        except AlreadyAnswered:
            return None
        if not result.duplicate:
            await self.storage.rounds.advance(
                quiz.id,
                position,
                answered=True,
                correct=result.verdict.correct,
                points=result.points,
            )
        updated = await self.get(quiz.id, member.user_id)
        return QuizAnswer(result, updated, result.card)

    async def skip(self, quiz: QuizRound, position: int) -> QuizRound:
        await self.storage.rounds.advance(
            quiz.id, position, answered=False, correct=False, points=0
        )
        return await self.get(quiz.id, quiz.user_id)

    async def stop(self, quiz: QuizRound) -> QuizRound:
        await self.storage.rounds.finish(quiz.id)
        return await self.get(quiz.id, quiz.user_id)

    async def claim(self, attempt_id: int, user_id: int) -> Claim:
        attempt = await self.storage.attempts.get(attempt_id)
        if attempt is None:
            raise LookupError(f"no attempt {attempt_id}")
        if attempt.user_id != user_id:
            raise NotYours("only the member who answered can claim it")
        return await self.storage.answers.file_claim(attempt_id, to_ms(self.study.clock.now()))
