"""A simulated week with faults: the real bot in its own process against the emulator.

    python benchmarks/soak.py [--guilds 10] [--days 2] [--seed 1 --seed 2 ...] [--faults 1.0]
                              [--start 2026-10-24]

Each seed is one run (tests/soak/driver.py): servers schedule drills and live sessions in five time
zones, members answer, and the driver injects 429s, 503s, 5xx bursts, gateway drops and SIGKILLs of
the bot process (a fresh process then starts on the same database). At the end it checks the
invariants and prints a summary table, the bot's memory at each day's end, and every violation with
its seed, step and simulated time. Exit status 1 if any run had a violation.

The default start (24 October 2026) puts both autumn clock changes (Europe on the 25th, the US on
1 November) inside a 7.5-day run; --start 2026-03-28 holds Europe's spring one.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.soak.driver import SoakConfig, report, run_soak  # noqa: E402


async def main(args: argparse.Namespace) -> int:
    start = datetime.fromisoformat(args.start).replace(tzinfo=UTC)
    results = []
    for seed in args.seed or [1]:
        config = SoakConfig(
            guilds=args.guilds, days=args.days, seed=seed, faults=args.faults, start=start
        )
        workdir = Path(tempfile.mkdtemp(prefix=f"soak-{seed}-"))
        results.append(await run_soak(config, workdir))
        if results[-1].violations:
            print(f"seed {seed}: the bot's database and logs are kept in {workdir}", flush=True)
        else:
            shutil.rmtree(workdir)
        print(f"seed {seed}: {len(results[-1].violations)} violations", flush=True)
    print(report(results))
    return 1 if any(r.violations for r in results) else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guilds", type=int, default=10)
    parser.add_argument("--days", type=float, default=2.0)
    parser.add_argument("--seed", type=int, action="append")
    parser.add_argument("--faults", type=float, default=1.0)
    parser.add_argument("--start", default="2026-10-24")
    sys.exit(asyncio.run(main(parser.parse_args())))
