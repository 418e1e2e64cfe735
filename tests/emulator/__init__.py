"""A local Discord API emulator for end-to-end tests with the real discord.py client."""

from tests.emulator.harness import running_bot
from tests.emulator.server import DiscordEmulator, InteractionHandle, RecordedCall, Reply

__all__ = ["DiscordEmulator", "InteractionHandle", "RecordedCall", "Reply", "running_bot"]
