"""The short soak CI runs: the real bot in its own process against the emulator, two simulated days
with faults and hard kills, on two fixed seeds (one over Europe's autumn clock change, one over its
spring one). The long run is `python benchmarks/soak.py` (see the README)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.soak.driver import SoakConfig, report, run_soak


@pytest.mark.parametrize(
    ("seed", "start"),
    [(1, datetime(2026, 10, 24, tzinfo=UTC)), (2, datetime(2026, 3, 28, tzinfo=UTC))],
)
async def test_two_days_of_faults_and_kills_break_no_invariant(
    seed: int, start: datetime, tmp_path: Path
) -> None:
    result = await run_soak(SoakConfig(guilds=10, days=2, seed=seed, start=start), tmp_path)
    assert result.violations == [], report([result])
    assert result.counts.get("restarts", 0) >= 3
    assert result.counts.get("answers acknowledged and stored", 0) >= 100
    assert result.counts.get("slots posted", 0) >= 20
