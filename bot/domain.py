"""The study model's records: what the services, the Discord adapter and the UI pass around. Plain
frozen dataclasses with no behaviour beyond a derived property or two, and no dependency on storage,
Discord or the clock; `bot/storage` builds them from rows of either database backend, and the
repository protocols in `bot/repositories.py` are written in them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Context = Literal["quiz", "drill", "session"]
OutcomeName = Literal["correct", "close", "wrong"]
ClaimStatus = Literal["pending", "approved", "rejected"]
Kind = Literal["drill", "session"]
SlotStatus = Literal["claimed", "posted", "missed", "failed"]
SessionStatus = Literal["running", "finished", "aborted"]
RoundMode = Literal["due", "missed"]
"""A /quiz round of due and new cards, or of the cards the member missed lately (no points)."""

DEFAULT_TIMEZONE = "UTC"
DEFAULT_NEW_CARDS_PER_DAY = 10
MAX_NEW_CARDS_PER_DAY = 1000
"""The schema's bound on guilds.new_cards_per_day (migration 0001)."""


class AlreadyAnswered(Exception):
    """The member already answered this card in this drill or session (with another interaction)."""


# --- Guilds, answers, spaced repetition, claims -------------------------------------------------


@dataclass(frozen=True)
class GuildSettings:
    guild_id: int
    timezone: str = DEFAULT_TIMEZONE
    new_cards_per_day: int = DEFAULT_NEW_CARDS_PER_DAY


@dataclass(frozen=True)
class SrsState:
    """A member's FSRS state for one card; aware UTC datetimes."""

    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None
    reviews: int
    lapses: int


SrsUpdate = Callable[[SrsState | None], SrsState]
"""The member's next card state from the previous one (None: a card never seen)."""


@dataclass(frozen=True)
class NewAttempt:
    attempt_key: str
    guild_id: int
    user_id: int
    display_name: str
    deck_id: str
    card_id: str
    context: Context
    context_id: int | None
    response: str
    outcome: OutcomeName
    score: float
    points: int
    answered_at_ms: int
    local_day: int


@dataclass(frozen=True)
class Attempt:
    id: int
    attempt_key: str
    guild_id: int
    user_id: int
    deck_id: str
    card_id: str
    context: Context
    context_id: int | None
    response: str
    outcome: OutcomeName
    score: float
    points: int
    answered_at_ms: int
    local_day: int


@dataclass(frozen=True)
class Recorded:
    attempt: Attempt
    created: bool
    srs: SrsState | None


@dataclass(frozen=True)
class Claim:
    id: int
    attempt: Attempt
    status: ClaimStatus
    created_at_ms: int


# --- /quiz rounds and server decks --------------------------------------------------------------


@dataclass(frozen=True)
class QuizRound:
    id: int
    guild_id: int
    user_id: int
    deck_id: str
    card_ids: tuple[str, ...]
    practice: frozenset[str]
    position: int
    answered: int
    correct: int
    points: int
    finished: bool
    mode: RoundMode = "due"

    @property
    def current(self) -> str | None:
        return self.card_ids[self.position] if self.position < len(self.card_ids) else None


@dataclass(frozen=True)
class MissedCard:
    """A card a member answered wrong or close lately: when they last missed it, and how often."""

    deck_id: str
    card_id: str
    last_missed_ms: int
    misses: int


@dataclass(frozen=True)
class StoredDeck:
    guild_id: int
    deck_id: str
    name: str
    toml: str


# --- Statistics ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeaderRow:
    user_id: int
    display_name: str
    points: int
    attempts: int
    correct: int


@dataclass(frozen=True)
class CardCounts:
    deck_id: str
    card_id: str
    attempts: int
    correct: int


@dataclass(frozen=True)
class DayCounts:
    day: int
    attempts: int
    correct: int


@dataclass(frozen=True)
class MemberTotals:
    attempts: int
    correct: int
    points: int


@dataclass(frozen=True)
class MemberData:
    """What the bot keeps about one member of one server."""

    display_name: str | None
    first_seen_ms: int | None
    answers: int
    first_answer_ms: int | None
    last_answer_ms: int | None
    decks: tuple[str, ...]
    review_cards: int
    quiz_rounds: int
    claims: int

    @property
    def empty(self) -> bool:
        return self.display_name is None and not (
            self.answers or self.review_cards or self.quiz_rounds
        )


# --- Schedules, drills, live sessions -----------------------------------------------------------


@dataclass(frozen=True)
class ScheduleSpec:
    guild_id: int
    channel_id: int
    kind: Kind
    deck_ids: tuple[str, ...]
    local_time: str
    days: str
    timezone: str
    size: int
    seconds_per_question: int
    created_by: int


@dataclass(frozen=True)
class Schedule:
    id: int
    guild_id: int
    channel_id: int
    kind: Kind
    deck_ids: tuple[str, ...]
    local_time: str
    days: str
    timezone: str
    size: int
    seconds_per_question: int
    paused: bool
    pause_reason: str | None
    created_by: int
    created_at_ms: int


@dataclass(frozen=True)
class ClaimedSlot:
    """A slot claimed but not yet settled as posted, missed or failed."""

    schedule_id: int
    slot: str
    slot_at_ms: int
    detail: str | None


@dataclass(frozen=True)
class CardRef:
    deck_id: str
    card_id: str


@dataclass(frozen=True)
class Drill:
    id: int
    guild_id: int
    channel_id: int
    schedule_id: int | None
    message_id: int | None
    opened_at_ms: int
    closes_at_ms: int
    closed_at_ms: int | None
    cards: tuple[CardRef, ...]
    slot: str | None = None
    revealed_at_ms: int | None = None
    post_tries: int = 0


@dataclass(frozen=True)
class SessionQuestion:
    position: int
    card: CardRef
    message_id: int | None
    asked_at_ms: int | None
    closes_at_ms: int | None
    closed_at_ms: int | None
    revealed_at_ms: int | None = None


@dataclass(frozen=True)
class StudySession:
    id: int
    guild_id: int
    channel_id: int
    schedule_id: int | None
    seconds_per_question: int
    started_at_ms: int
    ended_at_ms: int | None
    status: SessionStatus
    questions: tuple[SessionQuestion, ...]
    slot: str | None = None
    results_posted_at_ms: int | None = None


# --- Due-card reminders -------------------------------------------------------------------------

FireStatus = Literal["claimed", "sent", "skipped", "missed", "failed"]


@dataclass(frozen=True)
class Reminder:
    """A member's daily reminder of their due cards on one server, by direct message."""

    guild_id: int
    user_id: int
    local_time: str
    days: str
    timezone: str
    """The member's own time zone, else the server's."""
    on: bool
    off_reason: str | None
    """Why the bot turned it off (None: the member did, or it is on)."""
    told: bool
    """Whether the member was told `off_reason`."""
    since_ms: int
    """When it was last set: slots before this never fire."""


@dataclass(frozen=True)
class ReminderFire:
    """One member's reminder on one local day: claimed, then sent or settled otherwise."""

    guild_id: int
    user_id: int
    local_date: str
    slot: str
    slot_at_ms: int
    status: FireStatus
    detail: str | None
    tries: int


@dataclass(frozen=True)
class DueCards:
    """A member's cards due now in one deck, and since when the oldest of them is due."""

    deck_id: str
    due: int
    earliest_ms: int


# --- Streak and rank roles ----------------------------------------------------------------------

RewardKind = Literal["streak", "rank"]
"""A role for a streak of at least `threshold` days, or for the top `threshold` of the month."""


@dataclass(frozen=True)
class RoleReward:
    """A role the bot gives and takes back on one server as members' streaks or monthly ranks
    change (once a day, just after the server's local midnight)."""

    guild_id: int
    role_id: int
    kind: RewardKind
    threshold: int
    paused_reason: str | None
    """Why the bot stopped managing the role (None: it is active)."""
    created_by: int
    since_ms: int

    @property
    def paused(self) -> bool:
        return self.paused_reason is not None


@dataclass(frozen=True)
class RewardRun:
    """One server's daily update of its reward roles: claimed for a local date, then done."""

    guild_id: int
    local_date: str
    done: bool
    detail: str | None


# --- Weekly recaps ------------------------------------------------------------------------------

RecapStatus = Literal["claimed", "posted", "failed", "missed"]


@dataclass(frozen=True)
class Recap:
    """A weekly recap an admin switched on for one channel: posted on `weekday` (Monday = 0) at
    `local_time` in the server's time zone."""

    guild_id: int
    channel_id: int
    weekday: int
    local_time: str
    paused_reason: str | None
    """Why the bot stopped posting it (None: it is active)."""
    created_by: int
    since_ms: int
    """When it was last set: slots before this never post."""

    @property
    def paused(self) -> bool:
        return self.paused_reason is not None


@dataclass(frozen=True)
class RecapPost:
    """One week's recap in one channel: claimed for its local slot, then posted or settled."""

    guild_id: int
    channel_id: int
    slot: str
    slot_at_ms: int
    status: RecapStatus
    message_id: int | None
    detail: str | None
