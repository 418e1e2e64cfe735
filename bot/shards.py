"""Which Discord shards a process owns, and so which servers it schedules.

Discord puts a server on shard `(guild_id >> 22) % shard_count`, and delivers its events only on that
shard's connection. A process started with SHARD_COUNT and SHARD_IDS runs those shards and fires only
the schedules of their servers; the slot claims in the shared database keep every post exactly-once
whichever process gets there first.
"""

from __future__ import annotations

from dataclasses import dataclass


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard Discord delivers a server's events on."""
    return (guild_id >> 22) % shard_count


@dataclass(frozen=True)
class Shards:
    count: int
    """SHARD_COUNT: how many shards the bot has in all, across every process."""
    ids: tuple[int, ...]
    """SHARD_IDS: the shards this process runs (all of them when SHARD_IDS is not set)."""

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ValueError(f"a bot has at least one shard, not {self.count}")
        if not self.ids:
            raise ValueError("a process owns at least one shard")
        for shard_id in self.ids:
            if not 0 <= shard_id < self.count:
                raise ValueError(
                    f"shard {shard_id} does not exist: with {self.count} shards they are"
                    f" 0 to {self.count - 1}"
                )
        if len(set(self.ids)) != len(self.ids):
            raise ValueError("a shard is named twice")

    def owns(self, guild_id: int) -> bool:
        """Whether this process runs the shard the server is on."""
        return shard_of(guild_id, self.count) in self.ids

    @classmethod
    def parse(cls, count_text: str, ids_text: str | None) -> Shards:
        """From SHARD_COUNT ("4") and SHARD_IDS ("0,1", "2-3", "0,2-3"; None: all of them).
        Raises ValueError naming what is wrong."""
        if not count_text.isdigit():
            raise ValueError(f"it must be a whole number of shards, not {count_text!r}")
        count = int(count_text)
        if ids_text is None:
            return cls(count, tuple(range(count)))
        ids: list[int] = []
        for part in ids_text.split(","):
            part = part.strip()
            low, dash, high = part.partition("-")
            if not low.strip().isdigit() or (dash and not high.strip().isdigit()):
                raise ValueError(f"{part!r} is not a shard id or range (write them as 0,1 or 0-3)")
            first, last = int(low), int(high) if dash else int(low)
            if last < first:
                raise ValueError(f"the range {part!r} runs backwards")
            ids.extend(range(first, last + 1))
        return cls(count, tuple(ids))
