"""The weekly recap's message: one embed within Discord's limits, and its chart as an attachment."""

from __future__ import annotations

import io

import discord

from bot.domain import Recap
from bot.study.recaps import WeeklyRecap, day_name
from bot.ui.chart import activity_chart
from bot.ui.text import clip, safe

CHART_NAME = "recap.png"
MEDALS = ("🥇", "🥈", "🥉")
FIELD = 1024
"""Discord's limit for a field's value; the whole embed stays far below its 6,000."""


def _member(user_id: int) -> str:
    """A mention shows the member's current name and, with no allowed mentions, pings nobody."""
    return f"<@{user_id}>"


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


def _period(recap: WeeklyRecap) -> str:
    first, last = recap.first_day, recap.last_day
    return f"{first.strftime('%a %d %b')} – {last.strftime('%a %d %b %Y')}"


def recap_embed(recap: WeeklyRecap) -> discord.Embed:
    embed = discord.Embed(
        title=f"📅 Weekly recap · {_period(recap)}",
        colour=discord.Colour.blurple(),
    )
    if recap.answers == 0:
        embed.description = (
            "Nobody answered a card this week. `/quiz` starts a round; drills and sessions"
            " come with `/schedule`."
        )
        embed.set_footer(text=f"Days in {recap.timezone}")
        return embed
    embed.description = (
        f"**{recap.answers}** answers from **{recap.members}**"
        f" member{'s' if recap.members != 1 else ''}, {_percent(recap.correct / recap.answers)}"
        " correct."
    )
    if recap.top:
        lines = [
            f"{MEDALS[i] if i < len(MEDALS) else f'**{i + 1}.**'} {_member(m.user_id)}:"
            f" **{m.points}** points, {m.correct}/{m.attempts} correct"
            for i, m in enumerate(recap.top)
        ]
        embed.add_field(name="Top members", value=clip("\n".join(lines), FIELD), inline=False)
    if recap.improved is not None:
        i = recap.improved
        embed.add_field(
            name="Most improved",
            value=clip(
                f"{_member(i.user_id)}: accuracy {_percent(i.accuracy_before)} →"
                f" **{_percent(i.accuracy_now)}**, points {i.points_before} → {i.points_now}"
                " (against the week before)",
                FIELD,
            ),
            inline=False,
        )
    if recap.weakest:
        share = FIELD // len(recap.weakest) - 4
        lines = [
            clip(
                f"**{safe(c.question, 200)}** ({c.correct}/{c.attempts} correct)\n"
                f"→ {safe(c.answer.replace(chr(10), ' '), 300)}",
                share,
            )
            for c in recap.weakest
        ]
        embed.add_field(
            name="The server's weakest cards", value=clip("\n".join(lines), FIELD), inline=False
        )
    embed.set_image(url=f"attachment://{CHART_NAME}")
    embed.set_footer(text=f"Days in {recap.timezone} · /leaderboard for the full table")
    return embed


def recap_chart(recap: WeeklyRecap) -> discord.File | None:
    if recap.answers == 0:
        return None
    png = activity_chart(
        recap.daily,
        title=_period(recap),
        first=recap.first_day.strftime("%a"),
        last=recap.last_day.strftime("%a"),
    )
    return discord.File(io.BytesIO(png), filename=CHART_NAME)


def recap_line(recap: Recap, next_at: int | None) -> str:
    """A line for /schedule list."""
    line = (
        f"**Weekly recap** in <#{recap.channel_id}> on {day_name(recap.weekday)}s at"
        f" {recap.local_time} (server time zone)"
    )
    if recap.paused_reason:
        return (
            f"{line} — ⏸ paused: {safe(recap.paused_reason, 200)}. Fix it, then `/schedule recap`"
            " for that channel resumes it."
        )
    upcoming = f", next <t:{next_at}:f>" if next_at is not None else ""
    return f"{line} — ▶ active{upcoming}"
