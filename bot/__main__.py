"""Command line: `python -m bot <command>`. Run `python -m bot --help` for the list."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO, get_args

from bot.config import ConfigError, load_settings
from bot.decks import DeckError, dump_deck, load_library
from bot.decks.importers import Format, write_import
from bot.decks.importers.sandbox import import_file_isolated
from bot.decks.model import DECK_ID_PATTERN, deck_id_from_stem
from bot.grading import explain, grade
from bot.storage import DatabaseUnavailable, MigrationError, open_database
from bot.storage.copy import CopyError, copy_database, describe
from bot.storage.postgres import _redacted
from bot.study.clock import SystemClock, to_ms
from bot.terminal import find_card, read_line, resolve_deck, run_study


def _cmd_run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    settings = load_settings()
    token = settings.require_token()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from bot.app import run_bot

    asyncio.run(run_bot(settings, token))
    return 0


def _cmd_decks_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    directory = Path(args.directory)
    library = load_library(directory)
    for deck in sorted(library.decks.values(), key=lambda d: d.path or d.id):
        with_accept = sum(1 for card in deck.cards if card.accept)
        print(
            f"ok       {deck.path}: {deck.name!r}, {len(deck.cards)} cards, "
            f"{with_accept} with accepted short answers",
            file=out,
        )
    failed = set(library.failed)
    for path in sorted(failed):
        print(f"INVALID  {path}", file=out)
        for problem in library.problems:
            if problem.path == path:
                print(f"  {problem}", file=out)
    for problem in library.problems:
        if problem.path not in failed:
            print(f"ERROR    {problem}", file=out)
    total = len(library.decks) + len(failed)
    print(f"{total} deck(s): {len(library.decks)} valid, {len(failed)} invalid", file=out)
    return 1 if library.problems or total == 0 else 0


def _cmd_decks_list(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    directory = Path(args.directory) if args.directory else load_settings().decks_dir
    if not directory.is_dir():
        print(f"error: {directory} is not a directory of decks", file=err)
        return 2
    library = load_library(directory)
    decks = sorted(library.decks.values(), key=lambda deck: deck.id)
    rows = [("ID", "NAME", "CARDS", "SOURCE")]
    rows += [(d.id, d.name, str(len(d.cards)), " ".join((d.source or "-").split())) for d in decks]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for deck_id, name, cards, source in rows:
        line = f"{deck_id:<{widths[0]}}  {name:<{widths[1]}}  {cards:>{widths[2]}}  {source}"
        print(line.rstrip(), file=out)
    for path in sorted(library.failed):
        print(f"{Path(path).stem}: INVALID, see `python -m bot decks check {directory}`", file=out)
    total = sum(len(deck.cards) for deck in decks)
    invalid = f", {len(library.failed)} invalid" if library.failed else ""
    print(f"{len(decks)} deck(s) in {directory}, {total} cards{invalid}", file=out)
    return 1 if library.failed else 0


def _output_path(output: str) -> Path:
    """OUT of `decks import`: a .toml file whose name is a valid deck id (a deck's id is its file
    name), refused before any work with the reason and a name that works."""
    target = Path(output)
    if target.suffix != ".toml":
        raise DeckError.single(
            f"-o {output}", "OUT must be a .toml file (decks are loaded from *.toml files)"
        )
    if not DECK_ID_PATTERN.match(target.stem):
        suggestion = target.with_name(f"{deck_id_from_stem(target.stem)}.toml")
        raise DeckError.single(
            f"-o {output}",
            f"OUT's file name is the deck's id, and {target.stem!r} is not a valid deck id"
            " (lowercase letters, digits, '-' and '_', starting with a letter or digit, at most"
            f" 64 characters); try -o {suggestion}",
        )
    return target


def _cmd_decks_import(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    target = _output_path(args.output) if args.output else None
    if target is not None and target.exists() and not args.force:
        print(f"error: {target} exists; pass --force to overwrite it", file=err)
        return 1
    result = import_file_isolated(
        args.file,
        fmt=args.format,
        name=args.name,
        deck_id=target.stem if target is not None else None,
        separator=args.separator,
        row_separator=args.row_separator,
        keep_media=target is not None,
    )
    for warning in result.warnings:
        print(f"warning: {warning}", file=err)
    if target is not None:
        written = write_import(result, target)
        print(f"wrote {target} ({result.deck.name!r}): {result.summary}", file=out)
        for folder in sorted({str(path.parent) for path in written[:-1]}):
            print(f"images in {folder}", file=out)
    else:
        out.write(dump_deck(result.deck))
        print(result.summary, file=err)
    return 0


def _cmd_grade(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    library, deck_id = resolve_deck(args.deck, load_settings().decks_dir)
    deck = library.decks[deck_id]
    card = find_card(deck, args.card)
    verdict = grade(card, args.response, deck=deck)
    print(f"card:     {card.id}  {card.question}", file=out)
    print(f"answer:   {card.answer}", file=out)
    accepted = (
        ", ".join(f"“{a}”" for a in card.accept) or "(none: graded on the answer's key points)"
    )
    print(f"accepts:  {accepted}", file=out)
    print(f"verdict:  {verdict.outcome} (score {verdict.score:.2f})", file=out)
    print(f"feedback: {verdict.feedback}", file=out)
    if verdict.confused_with:
        print(f"confused: with card {verdict.confused_with}", file=out)
    for line in explain(card, args.response, deck=deck):
        print(f"  {line}", file=out)
    return 0


def _cmd_migrate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    database: str = args.db or load_settings().database

    async def migrate_now() -> tuple[list[str], int]:
        db = await open_database(database, migrate_schema=False)
        try:
            applied = await db.write_migrations(now_ms=to_ms(SystemClock().now()))
            return applied, await db.version()
        finally:
            await db.close()

    applied, version = asyncio.run(migrate_now())
    for name in applied:
        print(f"applied {name}", file=out)
    print(f"{_redacted(database)}: schema version {version}", file=out)
    return 0


def _cmd_copy_db(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        report = asyncio.run(copy_database(args.source, args.target))
    except CopyError as exc:
        print(f"error: {exc}", file=err)
        return 1
    for line in describe(report, args.target):
        print(line, file=out)
    return 0


def _cmd_study(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    settings = load_settings()
    return run_study(
        args.deck,
        database=args.db or settings.database,
        decks_dir=settings.decks_dir,
        count=args.count if args.count is not None else 25 if args.missed else 10,
        ask=read_line,
        out=out,
        missed=args.missed,
        days=args.days,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="study-tutor-bot: flashcard drills for Discord."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the Discord bot (needs DISCORD_TOKEN)")
    run.set_defaults(handler=_cmd_run)

    decks = commands.add_parser("decks", help="list, check or import decks")
    deck_commands = decks.add_subparsers(dest="decks_command", required=True, metavar="ACTION")
    check = deck_commands.add_parser("check", help="validate every deck in a directory")
    check.add_argument("directory", nargs="?", default="decks", help="default: decks/")
    check.set_defaults(handler=_cmd_decks_check)
    listing = deck_commands.add_parser(
        "list", help="the decks in a directory: id, name, cards and source"
    )
    listing.add_argument("directory", nargs="?", help="default: DECKS_DIR (decks/)")
    listing.set_defaults(handler=_cmd_decks_list)
    imp = deck_commands.add_parser(
        "import", help="convert a paste, CSV/TSV, Anki .apkg or TOML file into a TOML deck"
    )
    imp.add_argument("file")
    imp.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="TOML file to write, named as the deck id (e.g. my-deck.toml; default: stdout)",
    )
    imp.add_argument("--format", choices=get_args(Format), help="default: detected")
    imp.add_argument("--name", help="deck name (default: the file's title)")
    imp.add_argument("--separator", help="field separator for CSV/TSV (e.g. ';')")
    imp.add_argument("--row-separator", help="row separator for Quizlet custom exports")
    imp.add_argument("--force", action="store_true", help="overwrite the output file")
    imp.set_defaults(handler=_cmd_decks_import)
    migrate = commands.add_parser("migrate", help="create or upgrade the database schema")
    migrate.add_argument(
        "--db", help="a SQLite file, sqlite:///path or postgresql://… (default: DATABASE_URL)"
    )
    migrate.set_defaults(handler=_cmd_migrate)

    copy_db = commands.add_parser(
        "copy-db", help="copy a SQLite database into an empty PostgreSQL one (safe to rerun)"
    )
    copy_db.add_argument("source", metavar="SOURCE_URL", help="the SQLite file or sqlite:///path")
    copy_db.add_argument("target", metavar="TARGET_URL", help="postgresql://user@host/database")
    copy_db.set_defaults(handler=_cmd_copy_db)

    study = commands.add_parser("study", help="study a deck in the terminal, no Discord needed")
    study.add_argument("deck", help="a deck id (or name) from DECKS_DIR, or a deck .toml file")
    study.add_argument(
        "--count", type=int, help="cards in the round (default 10; with --missed, 25)"
    )
    study.add_argument(
        "--db", help="a SQLite file, sqlite:///path or postgresql://… (default: DATABASE_URL)"
    )
    study.add_argument(
        "--missed",
        action="store_true",
        help="review the cards answered wrong or close lately, the latest first (no points)",
    )
    study.add_argument(
        "--days", type=int, default=7, help="with --missed: how many days back (default 7)"
    )
    study.set_defaults(handler=_cmd_study)

    grade_parser = commands.add_parser(
        "grade", help="grade a response to one card and show why (for checking accept lists)"
    )
    grade_parser.add_argument(
        "deck", help="a deck id (or name) from DECKS_DIR, or a deck .toml file"
    )
    grade_parser.add_argument(
        "card", help="the card's id, its question, the start of it, or words in it"
    )
    grade_parser.add_argument("response", help="the answer to grade")
    grade_parser.set_defaults(handler=_cmd_grade)
    return parser


def main(
    argv: Sequence[str] | None = None, *, out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args, out, err)
    except (ConfigError, DeckError, MigrationError, DatabaseUnavailable, LookupError) as exc:
        print(f"error: {exc}", file=err)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`... | head`): say nothing more, as a Unix tool would.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    return code


if __name__ == "__main__":
    sys.exit(main())
