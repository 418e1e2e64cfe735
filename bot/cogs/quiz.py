"""/quiz: personal, private practice with spaced repetition."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.common import deck_choices, failures_reported, member_of, reply
from bot.domain import QuizRound
from bot.services import Services
from bot.study.clock import from_ms, to_ms
from bot.study.practice import (
    DEFAULT_MISSED_DAYS,
    MAX_MISSED_DAYS,
    AnswerResult,
    Member,
    UnknownDeck,
    outlook_sentences,
)
from bot.study.quiz import MAX_ROUND, NothingMissed, NothingToStudy, NotYours
from bot.study.reminders import NoReminder
from bot.ui import render
from bot.ui.components import answer_modal, claim_view, modal_value, quiz_view
from bot.ui.pictures import picture_file


def discord_time(instant: datetime) -> str:
    """A relative timestamp each member's Discord shows in their own words and time zone."""
    return f"<t:{int(instant.timestamp())}:R>"


class QuizCog(commands.Cog, name="Quiz"):
    def __init__(self, services: Services) -> None:
        self.services = services

    async def _deck_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return deck_choices(self.services, interaction.guild_id, current)

    @app_commands.command(
        name="quiz", description="Practise a deck privately: due cards first, then new ones"
    )
    @app_commands.guild_only()
    @app_commands.describe(
        deck="Which deck (default: the first one; with missed, the deck of your latest miss)",
        count="How many cards (1-25; default 5, or every missed card up to 25)",
        mode="due: due cards, then new ones; missed: the cards you got wrong or close lately",
        days="With mode missed: how many days back to look (default 7)",
    )
    @app_commands.choices(
        mode=[
            app_commands.Choice(name="due and new cards", value="due"),
            app_commands.Choice(name="what I missed", value="missed"),
        ]
    )
    @app_commands.autocomplete(deck=_deck_autocomplete)
    async def quiz(
        self,
        interaction: discord.Interaction,
        deck: str | None = None,
        count: app_commands.Range[int, 1, 25] | None = None,
        mode: str = "due",
        days: app_commands.Range[int, 1, MAX_MISSED_DAYS] = DEFAULT_MISSED_DAYS,
    ) -> None:
        member = member_of(interaction)
        if mode == "missed":
            await self._missed(interaction, member, deck, count or MAX_ROUND, days)
            return
        decks = self.services.catalog.for_guild(member.guild_id)
        deck_id = deck or (decks[0].id if decks else "")
        try:
            quiz = await self.services.quiz.start(member, deck_id, count or 5)
        except UnknownDeck:
            await self._unknown_deck(interaction, deck_id)
            return
        except NothingToStudy as empty:
            name = discord.utils.escape_markdown(
                self.services.study.deck(member.guild_id, deck_id).name
            )
            why = " ".join(outlook_sentences(empty.outlook, discord_time))
            await reply(interaction, f"Nothing to study in **{name[:100]}** right now. {why}")
            return
        note = None
        if quiz.practice and set(quiz.card_ids) <= quiz.practice:
            # No card is due and no new card is allowed: say why, and when that changes.
            outlook = await self.services.quiz.outlook(quiz)
            why = " ".join(outlook_sentences(outlook, discord_time))
            note = f"Practice round (no points): nothing is due in this deck. {why}"
        await self._show(interaction, quiz, new_message=True, note=note)

    async def _unknown_deck(self, interaction: discord.Interaction, deck_id: str) -> None:
        await reply(
            interaction,
            f"There is no deck `{discord.utils.escape_markdown(deck_id)[:64]}`. See /decks list.",
        )

    async def _missed(
        self,
        interaction: discord.Interaction,
        member: Member,
        deck_id: str | None,
        count: int,
        days: int,
    ) -> None:
        """/quiz mode:missed: the cards the member got wrong or close lately, newest first."""
        period = "day" if days == 1 else f"{days} days"
        try:
            quiz = await self.services.quiz.start_missed(member, deck_id, count, days=days)
        except UnknownDeck:
            await self._unknown_deck(interaction, deck_id or "")
            return
        except NothingMissed:
            where = ""
            if deck_id is not None:
                name = self.services.study.deck(member.guild_id, deck_id).name
                where = f" in **{discord.utils.escape_markdown(name)[:100]}**"
            await reply(
                interaction,
                f"Nothing to review{where}: you answered no card wrong or close in the last"
                f" {period}. Try a longer `days`, or `/quiz` for the cards that are due.",
            )
            return
        cards = "card" if len(quiz.card_ids) == 1 else "cards"
        note = (
            f"Reviewing the {len(quiz.card_ids)} {cards} you missed in the last {period}, the"
            " latest first. No points in a review; your answers still set when each card comes"
            " due again."
        )
        await self._show(interaction, quiz, new_message=True, note=note)

    async def _show(
        self,
        interaction: discord.Interaction,
        quiz: QuizRound,
        *,
        last: AnswerResult | None = None,
        hint: bool = False,
        new_message: bool = False,
        note: str | None = None,
    ) -> None:
        deck = self.services.study.deck(quiz.guild_id, quiz.deck_id)
        card = self.services.quiz.card(quiz)
        claim = last.attempt_id if last is not None and not last.verdict.correct else None
        picture: discord.File | None = None
        if card is None:
            if not quiz.finished:
                quiz = await self.services.quiz.stop(quiz)
            embed = render.quiz_summary(deck, quiz, last=last)
            outlook = await self.services.quiz.outlook(quiz)
            embed.add_field(
                name="Next",
                value=" ".join(outlook_sentences(outlook, discord_time)) or "–",
                inline=False,
            )
            view: discord.ui.View | None = None
            if claim is not None:
                view = claim_view(claim)
        else:
            picture = picture_file(deck.image_path(card), "card")
            embed = render.quiz_card(
                deck, quiz, card, last=last, hint=hint, image=picture.filename if picture else None
            )
            view = quiz_view(quiz.id, quiz.position, claim_attempt=claim, hint=bool(card.hint))
        await self._send(
            interaction, embed, view, new_message=new_message, note=note, picture=picture
        )

    async def _send(
        self,
        interaction: discord.Interaction,
        embed: discord.Embed,
        view: discord.ui.View | None,
        *,
        new_message: bool,
        note: str | None = None,
        picture: discord.File | None = None,
    ) -> None:
        none = discord.AllowedMentions.none()
        files = [picture] if picture is not None else []
        if new_message:
            # Private in a server; in a direct message (a reminder's review) it is private anyway,
            # and a plain message stays when Discord is reopened.
            kwargs: dict[str, Any] = {
                "embed": embed,
                "ephemeral": interaction.guild_id is not None,
                "allowed_mentions": none,
            }
            if note:
                kwargs["content"] = note
            if view is not None:
                kwargs["view"] = view
            if files:
                kwargs["files"] = files
            await interaction.response.send_message(**kwargs)
        elif interaction.message is not None:
            # The attachments are replaced: the last card's picture goes, this card's comes.
            await interaction.response.edit_message(
                embed=embed, view=view, allowed_mentions=none, attachments=files
            )
        else:
            await reply(interaction, embed=embed, view=view, file=picture)

    async def _round(self, interaction: discord.Interaction, round_id: int) -> QuizRound | None:
        try:
            return await self.services.quiz.get(round_id, interaction.user.id)
        except NotYours:
            await reply(
                interaction, "That quiz belongs to someone else. Start your own with /quiz."
            )
        except LookupError:
            await reply(interaction, "That quiz no longer exists. Start a new one with /quiz.")
        return None

    @commands.Cog.listener()
    async def on_quiz_button(
        self, interaction: discord.Interaction, round_id: int, action: str, position: int
    ) -> None:
        async with failures_reported(interaction, f"quiz button {action}"):
            quiz = await self._round(interaction, round_id)
            if quiz is None:
                return
            if quiz.finished or position != quiz.position:
                await self._show(interaction, quiz)
                return
            card = self.services.quiz.card(quiz)
            if card is None:
                await self._show(interaction, quiz)
                return
            if action == "answer":
                opened = to_ms(self.services.clock.now())
                modal = answer_modal("quiz", quiz.id, position, opened, card.question)
                await interaction.response.send_modal(modal)
                modal.stop()
            elif action == "hint":
                await self._show(interaction, quiz, hint=True)
            elif action == "skip":
                await self._show(interaction, await self.services.quiz.skip(quiz, position))
            elif action == "stop":
                await self._show(interaction, await self.services.quiz.stop(quiz))

    @commands.Cog.listener()
    async def on_quiz_answer(self, interaction: discord.Interaction, match: re.Match[str]) -> None:
        """A quiz answer form submitted (StudyBot.dispatch parsed its id into `match`)."""
        data: dict[str, Any] = dict(interaction.data or {})
        async with failures_reported(interaction, "quiz answer"):
            quiz = await self._round(interaction, int(match["ref"]))
            if quiz is None:
                return
            elapsed = interaction.created_at - from_ms(int(match["opened"]))
            answered = await self.services.quiz.answer(
                quiz,
                int(match["position"]),
                # The round's server, which is also where a round started from a reminder's
                # direct message counts.
                Member(quiz.guild_id, interaction.user.id, interaction.user.display_name),
                modal_value(data),
                attempt_key=f"interaction:{interaction.id}",
                elapsed=max(elapsed, timedelta(0)),
            )
            if answered is None:
                await self._show(interaction, quiz)
                return
            await self._show(interaction, answered.round, last=answered.result)

    @commands.Cog.listener()
    async def on_reminder_review(self, interaction: discord.Interaction, guild_id: int) -> None:
        """Start review, in a reminder's direct message: the same round as /quiz, recorded for
        the server the reminder came from."""
        async with failures_reported(interaction, "reminder review"):
            guild = interaction.client.get_guild(guild_id)
            server = discord.utils.escape_markdown(guild.name if guild else "the server")[:100]
            try:
                quiz = await self.services.reminders.start_review(
                    guild_id, interaction.user.id, interaction.user.display_name
                )
            except NoReminder:
                await reply(
                    interaction, "That reminder is gone. `/remind set` on a server starts one."
                )
                return
            except UnknownDeck:
                await reply(interaction, f"**{server}** has no decks to review.")
                return
            except NothingToStudy as empty:
                why = " ".join(outlook_sentences(empty.outlook, discord_time))
                await reply(interaction, f"Nothing to review on **{server}** right now. {why}")
                return
            await self._show(interaction, quiz, new_message=True, note=f"Review for **{server}**.")

    @commands.Cog.listener()
    async def on_claim_button(self, interaction: discord.Interaction, attempt_id: int) -> None:
        async with failures_reported(interaction, "claim"):
            try:
                claim = await self.services.quiz.claim(attempt_id, interaction.user.id)
            except NotYours:
                await reply(interaction, "Only the member who answered can claim that answer.")
                return
            except ValueError:
                await reply(interaction, "That answer was already graded correct.")
                return
            await reply(
                interaction,
                f"Claim #{claim.id} filed: a server admin will review your answer. If they agree, it counts "
                "as correct and the points are yours.",
            )
