"""Everything the Discord layer needs, built once at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from bot.repositories import Store
from bot.study.admin import DeckAdmin
from bot.study.catalog import DeckCatalog
from bot.study.clock import Clock
from bot.study.drills import DrillService
from bot.study.grading_process import Grader
from bot.study.practice import StudyService
from bot.study.privacy import PrivacyService
from bot.study.quiz import QuizService
from bot.study.recaps import RecapService
from bot.study.reminders import ReminderService
from bot.study.rewards import RewardService
from bot.study.sessions import SessionService
from bot.study.settings import SettingsService
from bot.study.stats import StatsService


@dataclass
class Services:
    storage: Store
    catalog: DeckCatalog
    clock: Clock
    study: StudyService
    stats: StatsService
    quiz: QuizService
    admin: DeckAdmin
    drills: DrillService
    sessions: SessionService
    privacy: PrivacyService
    settings: SettingsService
    reminders: ReminderService
    rewards: RewardService
    recaps: RecapService

    @classmethod
    def build(
        cls, storage: Store, catalog: DeckCatalog, clock: Clock, grader: Grader | None = None
    ) -> Services:
        study = StudyService(storage, catalog, clock, grader)
        quiz = QuizService(study, storage)
        return cls(
            storage=storage,
            catalog=catalog,
            clock=clock,
            study=study,
            stats=StatsService(storage, catalog, clock),
            quiz=quiz,
            admin=DeckAdmin(storage, catalog, clock),
            drills=DrillService(storage, catalog, study, clock),
            sessions=SessionService(storage, catalog, study, clock),
            privacy=PrivacyService(storage),
            settings=SettingsService(storage, clock),
            reminders=ReminderService(storage, catalog, quiz, clock),
            rewards=RewardService(storage, clock),
            recaps=RecapService(storage, catalog, clock),
        )
