"""/rewards: admins name roles for streaks and for the month's top members; and the Discord side of
giving and taking them (`DiscordRoleManager`)."""

from __future__ import annotations

import logging

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.common import reply, require_admin
from bot.cogs.minute_tick import MinuteTick
from bot.domain import RoleReward
from bot.services import Services
from bot.study.delivery import DeliveryFailed
from bot.study.rewards import (
    MAX_RANK,
    MAX_STREAK_DAYS,
    BadReward,
    MemberGone,
    RoleManager,
    RoleRefused,
    describe_rule,
)
from bot.ui.text import clip

log = logging.getLogger(__name__)
MISSING_PERMISSIONS = 50013
UNKNOWN_MEMBER = 10007
UNKNOWN_ROLE = 10011
NO_MANAGE_ROLES = "the bot lacks the Manage Roles permission on this server"
TOO_HIGH = (
    "the role is not below the bot's highest role (drag the bot's role above it in"
    " Server Settings → Roles)"
)


def role_problem(guild: discord.Guild | None, role_id: int) -> str | None:
    """Why the bot cannot manage the role, as far as the bot's own view of the server tells."""
    if guild is None:
        return None
    me = guild.me
    role = guild.get_role(role_id)
    if me is None:
        return None
    permissions = me.guild_permissions
    if not (permissions.manage_roles or permissions.administrator):
        return NO_MANAGE_ROLES
    if role is not None and role >= me.top_role:
        return TOO_HIGH
    return None


class DiscordRoleManager:
    """Gives and takes roles through Discord's REST API (no member cache needed: the bot has
    no members intent)."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    def serves(self, guild_id: int) -> bool:
        return self.client.get_guild(guild_id) is not None

    async def grant(self, guild_id: int, user_id: int, role_id: int) -> None:
        await self._change(guild_id, user_id, role_id, give=True)

    async def revoke(self, guild_id: int, user_id: int, role_id: int) -> None:
        await self._change(guild_id, user_id, role_id, give=False)

    async def _change(self, guild_id: int, user_id: int, role_id: int, *, give: bool) -> None:
        http = self.client.http
        try:
            if give:
                await http.add_role(guild_id, user_id, role_id, reason="study reward")
            else:
                await http.remove_role(guild_id, user_id, role_id, reason="study reward")
        except discord.Forbidden as exc:
            why = role_problem(self.client.get_guild(guild_id), role_id)
            raise RoleRefused(
                why or f"Discord refused to change the role ({exc.code}: {clip(exc.text, 120)})"
            ) from exc
        except discord.NotFound as exc:
            if exc.code == UNKNOWN_ROLE:
                raise RoleRefused("the role was deleted") from exc
            if exc.code == UNKNOWN_MEMBER:
                raise MemberGone(str(user_id)) from exc
            raise RoleRefused(f"Discord does not know the server or role ({exc.code})") from exc
        except discord.HTTPException as exc:
            client_error = 400 <= exc.status < 500 and exc.status != 429
            if client_error:
                raise RoleRefused(
                    f"Discord refused to change the role ({exc.status} {exc.code})"
                ) from exc
            raise DeliveryFailed(
                f"Discord could not change the role ({exc.status})", permanent=False
            ) from exc
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise DeliveryFailed(
                f"Discord could not be reached ({type(exc).__name__})", permanent=False
            ) from exc


def reward_line(reward: RoleReward) -> str:
    line = f"<@&{reward.role_id}>: {describe_rule(reward.kind, reward.threshold)}"
    if reward.paused_reason:
        line += (
            f" — **paused**: {reward.paused_reason}. Fix that, then `/rewards role` with this"
            " role resumes it."
        )
    return line


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class RewardsCog(
    MinuteTick,
    commands.GroupCog,
    name="Rewards",
    group_name="rewards",
    group_description="Roles the bot gives for study streaks and the month's top ranks",
):
    def __init__(
        self, services: Services, roles: RoleManager | None = None, *, run_loop: bool = True
    ) -> None:
        self.services = services
        self.roles = roles
        self.run_loop = run_loop
        super().__init__()

    def ready_client(self) -> discord.Client | None:
        return self.roles.client if isinstance(self.roles, DiscordRoleManager) else None

    async def tick(self) -> None:
        """One pass over the servers' rewards (the loop runs it each minute; tests call it)."""
        if self.roles is None:
            return
        try:
            report = await self.services.rewards.tick(self.roles)
            if report.granted or report.removed or report.paused:
                log.info(
                    "rewards: %d roles given, %d taken back, %d rewards paused",
                    len(report.granted),
                    len(report.removed),
                    len(report.paused),
                )
        except Exception:
            log.exception("reward tick failed")

    @app_commands.command(
        name="role", description="Give a role for a study streak or a top rank of the month"
    )
    @app_commands.describe(
        role="The role to give (below the bot's own highest role)",
        streak_days=f"Members who answered on each of the last N days (1-{MAX_STREAK_DAYS})",
        rank_in_month=f"The top K members of the month by points (1-{MAX_RANK})",
    )
    async def role(
        self,
        interaction: discord.Interaction,
        role: discord.Role,
        streak_days: app_commands.Range[int, 1, MAX_STREAK_DAYS] | None = None,
        rank_in_month: app_commands.Range[int, 1, MAX_RANK] | None = None,
    ) -> None:
        if not await require_admin(interaction):
            return
        assert interaction.guild_id is not None
        if role.is_default() or role.managed:
            await reply(
                interaction,
                "That role cannot be given by the bot: pick a role you made (not @everyone or"
                " a bot's or integration's own role).",
            )
            return
        try:
            reward = await self.services.rewards.save(
                interaction.guild_id,
                role.id,
                streak_days=streak_days,
                rank_in_month=rank_in_month,
                by=interaction.user.id,
            )
        except BadReward as exc:
            await reply(interaction, f"Not set: {exc}.")
            return
        next_run = await self.services.rewards.next_run(interaction.guild_id)
        text = (
            f"<@&{role.id}> now goes to {describe_rule(reward.kind, reward.threshold)}. The bot"
            f" updates it every day just after midnight (server time zone), next"
            f" <t:{int(next_run.timestamp())}:f>, and takes it back from members it gave it to"
            " when they no longer qualify."
        )
        problem = role_problem(interaction.guild, role.id)
        if problem is not None:
            text += f"\n**The bot cannot give it yet**: {problem}."
        await reply(interaction, text)

    @app_commands.command(name="list", description="This server's streak and rank roles")
    async def list_rewards(self, interaction: discord.Interaction) -> None:
        if not await require_admin(interaction):
            return
        assert interaction.guild_id is not None
        rewards = await self.services.rewards.in_guild(interaction.guild_id)
        if not rewards:
            await reply(
                interaction,
                "No reward roles yet. `/rewards role role:@Role streak_days:7` sets one up.",
            )
            return
        await reply(interaction, clip("\n".join(reward_line(r) for r in rewards), 1900))

    @app_commands.command(name="remove", description="Stop giving a role as a reward")
    @app_commands.describe(role="The reward role (members who have it keep it)")
    async def remove(self, interaction: discord.Interaction, role: discord.Role) -> None:
        if not await require_admin(interaction):
            return
        assert interaction.guild_id is not None
        if await self.services.rewards.remove(interaction.guild_id, role.id):
            await reply(
                interaction,
                f"<@&{role.id}> is no longer a reward; members who have it keep it.",
            )
        else:
            await reply(interaction, f"<@&{role.id}> is not a reward role on this server.")
