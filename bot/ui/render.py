"""Embeds for every reply the bot makes. Deck text and member answers always go through `safe`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import discord

from bot.decks import Card, Deck
from bot.domain import Claim, Drill, MemberData, QuizRound, Schedule, SessionQuestion, StudySession
from bot.study.drills import DrillCard, DrillResults
from bot.study.practice import AnswerResult
from bot.study.reminders import ReminderMessage
from bot.study.sessions import QuestionResult, Standing
from bot.study.stats import CardStat, Leaderboard, MemberStats
from bot.ui.text import clip, code_block, fit_fields, safe

BLURPLE = discord.Colour.blurple()
MARKS = {"correct": "✅", "close": "🟡", "wrong": "❌"}
DECK_LIST_CHARS = 3900
"""Room for deck lines in the list's description (Discord allows 4,096)."""
PERIOD_LABELS = {"day": "today", "week": "this week", "month": "this month", "all": "all time"}


def quiz_card(
    deck: Deck,
    quiz: QuizRound,
    card: Card,
    *,
    last: AnswerResult | None = None,
    hint: bool = False,
    image: str | None = None,
) -> discord.Embed:
    """`image`: the file name of the card's picture, sent as an attachment with the message."""
    number = quiz.position + 1
    embed = discord.Embed(
        title=f"{safe(deck.name, 200)} · card {number}/{len(quiz.card_ids)}",
        description=safe(card.question, 3000),
        colour=BLURPLE,
    )
    if image is not None:
        embed.set_image(url=f"attachment://{image}")
    if quiz.mode == "missed":
        embed.set_footer(text="Review of a card you missed: no points, but it is rescheduled.")
    elif card.id in quiz.practice:
        embed.set_footer(text="Practice: this card is not due yet, so it earns no points.")
    if hint:
        embed.add_field(
            name="Hint", value=safe(card.hint or "No hint for this card."), inline=False
        )
    if last is not None:
        embed.add_field(name="Previous card", value=verdict_text(last), inline=False)
    return embed


def verdict_text(result: AnswerResult) -> str:
    verdict = result.verdict
    gained = f" (+{result.points})" if result.points else ""
    return (
        f"{MARKS[verdict.outcome]} {safe(verdict.feedback, 300)}{gained}\n"
        f"**Answer:** {safe(result.card.answer, 600)}"
    )


def quiz_summary(deck: Deck, quiz: QuizRound, *, last: AnswerResult | None = None) -> discord.Embed:
    embed = discord.Embed(title=f"{safe(deck.name, 200)} · round finished", colour=BLURPLE)
    accuracy = f"{quiz.correct / quiz.answered:.0%}" if quiz.answered else "–"
    embed.description = (
        f"Answered {quiz.answered} of {len(quiz.card_ids)} cards: **{quiz.correct} correct** "
        f"({accuracy}), **{quiz.points} points**."
    )
    if last is not None:
        embed.add_field(name="Last card", value=verdict_text(last), inline=False)
    embed.set_footer(text="Run /quiz again when cards come due.")
    return embed


def leaderboard(board: Leaderboard, deck: Deck | None) -> discord.Embed:
    scope = f" · {safe(deck.name, 100)}" if deck else ""
    embed = discord.Embed(
        title=f"Leaderboard · {PERIOD_LABELS[board.period]}{scope}", colour=BLURPLE
    )
    if not board.entries:
        embed.description = "Nobody has answered yet in this period."
    else:
        lines = []
        for entry in board.entries:
            name = safe(entry.display_name or f"member {entry.user_id}", 40)
            streak = f" · 🔥{entry.current_streak}" if entry.current_streak > 1 else ""
            lines.append(
                f"**{entry.rank}.** {name} — **{entry.points}** pts · {entry.accuracy:.0%} of {entry.attempts}{streak}"
            )
        embed.description = "\n".join(lines)
    embed.set_footer(text=f"Times in {board.timezone}")
    return embed


def _card_lines(cards: Sequence[CardStat]) -> str:
    if not cards:
        return "–"
    return "\n".join(
        f"{safe(card.question, 80)} — {card.correct}/{card.attempts}" for card in cards
    )


def member_stats(name: str, stats: MemberStats) -> discord.Embed:
    embed = discord.Embed(title=f"Stats · {safe(name, 80)}", colour=BLURPLE)
    embed.add_field(name="Answers", value=f"{stats.attempts} ({stats.accuracy:.0%} correct)")
    embed.add_field(name="Points", value=str(stats.points))
    embed.add_field(name="Streak", value=f"{stats.current_streak} days (best {stats.best_streak})")
    embed.add_field(name="Cards learned", value=str(stats.cards_learned))
    embed.add_field(name="Due now", value=str(stats.due_now))
    embed.add_field(name="Best cards", value=_card_lines(stats.best_cards), inline=False)
    embed.add_field(name="Cards to work on", value=_card_lines(stats.worst_cards), inline=False)
    embed.set_image(url="attachment://activity.png")
    embed.set_footer(text=f"Days in {stats.timezone}")
    return embed


def deck_list(decks: Sequence[Deck], guild_deck_ids: set[str]) -> discord.Embed:
    embed = discord.Embed(title="Decks", colour=BLURPLE)
    lines: list[str] = []
    size = 0
    for shown, deck in enumerate(decks):
        mark = " · this server" if deck.id in guild_deck_ids else ""
        line = f"**{safe(deck.name, 100)}** (`{deck.id}`) — {len(deck.cards)} cards{mark}"
        if size + len(line) + 1 > DECK_LIST_CHARS:
            lines.append(f"…and {len(decks) - shown} more: `/decks info` names any deck by id.")
            break
        lines.append(line)
        size += len(line) + 1
    embed.description = "\n".join(lines) or "No decks yet."
    return embed


def deck_info(deck: Deck, *, server_deck: bool) -> discord.Embed:
    embed = discord.Embed(
        title=safe(deck.name, 250), description=safe(deck.description or "", 2000), colour=BLURPLE
    )
    embed.add_field(name="Id", value=f"`{deck.id}`")
    embed.add_field(name="Cards", value=str(len(deck.cards)))
    embed.add_field(
        name="With short accepted answers", value=str(sum(1 for c in deck.cards if c.accept))
    )
    if deck.cards:
        embed.add_field(
            name="Sample question", value=safe(deck.cards[0].question, 500), inline=False
        )
    embed.add_field(
        name="Source",
        value=safe(deck.source or ("imported on this server" if server_deck else "–"), 500),
        inline=False,
    )
    return embed


def import_done(deck: Deck, warnings: Sequence[str]) -> str:
    text = f"Imported **{safe(deck.name, 100)}** (`{deck.id}`) with {len(deck.cards)} cards for this server."
    if warnings:
        text += f"\nThe importer was unsure about {len(warnings)} thing(s); check these cards:\n"
        text += code_block(list(warnings[:10]), 1200)
    return text


def import_failed(problems: Sequence[str]) -> str:
    shown = list(problems[:10])
    more = f"\n…and {len(problems) - 10} more." if len(problems) > 10 else ""
    return "That file is not a valid deck:\n" + code_block(shown, 1700) + more


def claim_review(claim: Claim, card: Card | None, pending: int) -> discord.Embed:
    attempt = claim.attempt
    embed = discord.Embed(
        title=f"Claim #{claim.id} · {pending} waiting", colour=discord.Colour.gold()
    )
    embed.add_field(
        name="Card", value=safe(card.question if card else attempt.card_id, 500), inline=False
    )
    embed.add_field(
        name="Reference answer",
        value=safe(card.answer if card else "(deck removed)", 800),
        inline=False,
    )
    embed.add_field(name="Member's answer", value=safe(attempt.response, 800), inline=False)
    embed.add_field(name="Graded", value=f"{MARKS[attempt.outcome]} {attempt.outcome}")
    embed.add_field(name="Member", value=f"<@{attempt.user_id}>")
    embed.set_footer(
        text="Approving makes this wording an accepted answer on this server and awards the points."
    )
    return embed


def drill_post(drill: Drill, cards: Sequence[DrillCard], closes_at: datetime) -> discord.Embed:
    embed = discord.Embed(
        title="📚 Daily drill",
        description=(
            "Answer each card with its button: your answer stays private, and each card takes one "
            f"answer per member. Answers are revealed <t:{int(closes_at.timestamp())}:R>."
        ),
        colour=BLURPLE,
    )
    return fit_fields(
        embed, [(f"{item.number}.", safe(item.card.question, 1000), "") for item in cards]
    )


def drill_reveal(results: DrillResults) -> discord.Embed:
    """The closed drill: each card's answer and tally, and the day's top members, in one edit."""
    embed = discord.Embed(
        title="📚 Daily drill · closed",
        description=drill_results_line(results),
        colour=discord.Colour.dark_grey(),
    )
    return fit_fields(
        embed,
        [
            (
                f"{tally.number}. {clip(tally.card.question, 200)}",
                safe(tally.card.answer, 1000),
                f"\n*{tally.correct} of {tally.answered} got it*",
            )
            for tally in results.cards
        ],
        name_cap=200,
    )


def drill_results_line(results: DrillResults) -> str:
    if not results.top:
        return "Drill closed: nobody scored today yet. The next drill is your chance!"
    names = ", ".join(
        f"{safe(name or f'member {uid}', 40)} ({points})" for uid, name, points in results.top
    )
    return f"Drill closed. Today's top: {names}."


def paused_notice(paused: Sequence[Schedule]) -> str:
    """A line for admins about schedules that paused themselves, and why."""
    lines = [
        f"⚠️ Schedule #{s.id} is paused: {s.pause_reason}. Fix it, then `/schedule resume {s.id}`."
        for s in paused
    ]
    return "\n".join(lines[:5]) + "\n" if lines else ""


def schedule_line(schedule: Schedule, next_at: datetime | None) -> str:
    state = (
        f"⏸ paused: {safe(schedule.pause_reason or 'by an admin', 200)}"
        if schedule.paused
        else "▶ active"
    )
    upcoming = f", next <t:{int(next_at.timestamp())}:f>" if next_at and not schedule.paused else ""
    decks = ", ".join(f"`{d}`" for d in schedule.deck_ids)
    return (
        f"**#{schedule.id}** {schedule.kind} in <#{schedule.channel_id}> at {schedule.local_time} "
        f"{schedule.days} ({schedule.timezone}), {schedule.size} {'questions' if schedule.kind == 'session' else 'cards'} "
        f"from {decks} — {state}{upcoming}"
    )


def session_question(
    session: StudySession, question: SessionQuestion, card: Card, closes_at: datetime
) -> discord.Embed:
    embed = discord.Embed(
        title=f"⏱ Live session · question {question.position + 1}/{len(session.questions)}",
        description=safe(card.question, 3000),
        colour=discord.Colour.orange(),
    )
    embed.add_field(name="Time", value=f"closes <t:{int(closes_at.timestamp())}:R>")
    embed.set_footer(text="10 points for a correct answer, +5 for the fastest.")
    return embed


def session_question_closed(session: StudySession, result: QuestionResult) -> discord.Embed:
    embed = discord.Embed(
        title=f"⏱ Live session · question {result.question.position + 1}/{len(session.questions)} · closed",
        description=safe(result.card.question, 2000),
        colour=discord.Colour.dark_grey(),
    )
    embed.add_field(name="Answer", value=safe(result.card.answer, 1000), inline=False)
    fastest = f" · fastest: {safe(result.fastest[1] or 'a member', 40)}" if result.fastest else ""
    embed.add_field(
        name="Results",
        value=f"{result.correct} of {result.answered} correct{fastest}",
        inline=False,
    )
    return embed


def session_results(standings: Sequence[Standing], played: int, total: int) -> discord.Embed:
    title = (
        "🏁 Live session · results"
        if played == total
        else f"🏁 Live session ended early · {played} of {total} played"
    )
    embed = discord.Embed(title=title, colour=discord.Colour.green())
    if not standings:
        embed.description = "Nobody answered this time."
    else:
        embed.description = "\n".join(
            f"**{rank}.** {safe(s.name or f'member {s.user_id}', 40)} — **{s.points}** pts ({s.correct} correct)"
            for rank, s in enumerate(standings[:20], start=1)
        )
    return embed


def member_data(data: MemberData) -> discord.Embed:
    embed = discord.Embed(title="Your data in this server", colour=BLURPLE)
    if data.empty:
        embed.description = "Nothing: the bot keeps no answers or progress of yours here."
        return embed

    def when(ms: int | None) -> str:
        return f"<t:{ms // 1000}:d>" if ms else "–"

    embed.description = (
        "Kept until you run `/privacy forget` (or an admin removes it). Answers feed the "
        "leaderboards, streaks, stats and your review schedule."
    )
    embed.add_field(name="Name shown on leaderboards", value=safe(data.display_name or "–", 100))
    embed.add_field(
        name="Answers",
        value=f"{data.answers} (from {when(data.first_answer_ms)} to {when(data.last_answer_ms)})",
    )
    embed.add_field(
        name="Decks answered", value=safe(", ".join(data.decks) or "–", 1000), inline=False
    )
    embed.add_field(name="Cards in your review schedule", value=str(data.review_cards))
    embed.add_field(name="Quiz rounds", value=str(data.quiz_rounds))
    embed.add_field(name="Claims", value=str(data.claims))
    return embed


def reminder_dm(message: ReminderMessage, server: str) -> discord.Embed:
    """A reminder's direct message: how many cards are due on the server and since when, the
    member's streak, and (beside it, as a button) Start review."""
    cards = "card is" if message.due == 1 else "cards are"
    oldest = int(message.oldest_due.timestamp())
    embed = discord.Embed(
        title=f"Cards due · {safe(server, 200)}",
        description=(
            f"**{message.due}** {cards} due for review, the oldest since <t:{oldest}:f>"
            f" (<t:{oldest}:R>). Start review runs a /quiz round right here; your answers,"
            " review schedule and points count on that server."
        ),
        colour=BLURPLE,
    )
    if message.streak:
        keep = "" if message.answered_today else " · answer today to keep it"
        streak = f"🔥 {message.streak} day{'s' if message.streak != 1 else ''}{keep}"
    else:
        streak = "No streak yet: answer today to start one"
    embed.add_field(name="Streak", value=f"{streak} (best {message.best_streak})", inline=False)
    lines = [f"{safe(name, 80)} — {count}" for name, count in message.decks[:5]]
    if len(message.decks) > 5:
        lines.append(f"…and {len(message.decks) - 5} more decks")
    embed.add_field(name="Due by deck", value="\n".join(lines), inline=False)
    embed.set_footer(text="/remind off on that server stops these messages.")
    return embed
