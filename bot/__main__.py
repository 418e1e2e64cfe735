"""Command line: `python -m bot <command>`. Run `python -m bot --help` for the list."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO, get_args

from bot.config import ConfigError, load_settings
from bot.decks import DeckError, dump_deck, load_library
from bot.decks.importers import Format, import_file


def _cmd_run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    settings = load_settings()
    token = settings.require_token()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from bot.app import StudyBot, point_at_endpoints

    point_at_endpoints(settings)
    StudyBot(settings).run(token, log_handler=None)
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


def _cmd_decks_import(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    result = import_file(
        args.file,
        fmt=args.format,
        name=args.name,
        deck_id=Path(args.output).stem if args.output else None,
        separator=args.separator,
        row_separator=args.row_separator,
    )
    for warning in result.warnings:
        print(f"warning: {warning}", file=err)
    text = dump_deck(result.deck)
    if args.output:
        target = Path(args.output)
        if target.exists() and not args.force:
            print(f"error: {target} exists; pass --force to overwrite it", file=err)
            return 1
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}: {len(result.deck.cards)} cards, {result.deck.name!r}", file=out)
    else:
        out.write(text)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="study-tutor-bot: flashcard drills for Discord."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the Discord bot (needs DISCORD_TOKEN)")
    run.set_defaults(handler=_cmd_run)

    decks = commands.add_parser("decks", help="check or import decks")
    deck_commands = decks.add_subparsers(dest="decks_command", required=True, metavar="ACTION")
    check = deck_commands.add_parser("check", help="validate every deck in a directory")
    check.add_argument("directory", nargs="?", default="decks", help="default: decks/")
    check.set_defaults(handler=_cmd_decks_check)
    imp = deck_commands.add_parser(
        "import", help="convert a paste, CSV/TSV, Anki .apkg or TOML file into a TOML deck"
    )
    imp.add_argument("file")
    imp.add_argument("-o", "--output", help="TOML file to write (default: print to stdout)")
    imp.add_argument("--format", choices=get_args(Format), help="default: detected")
    imp.add_argument("--name", help="deck name (default: the file's title)")
    imp.add_argument("--separator", help="field separator for CSV/TSV (e.g. ';')")
    imp.add_argument("--row-separator", help="row separator for Quizlet custom exports")
    imp.add_argument("--force", action="store_true", help="overwrite the output file")
    imp.set_defaults(handler=_cmd_decks_import)
    return parser


def main(
    argv: Sequence[str] | None = None, *, out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args, out, err)
    except (ConfigError, DeckError) as exc:
        print(f"error: {exc}", file=err)
        return 2
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
