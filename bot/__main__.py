"""Command line: `python -m bot [chat|run|stats|check]` (chat is the default)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from bot import logs
from bot.settings import Settings
from storage.lock import AlreadyRunning


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sp-advisor",
        description="A chat advisor for human rights defenders engaging the UN Special Procedures.",
    )
    sub = parser.add_subparsers(dest="command")
    chat = sub.add_parser("chat", help="talk to the advisor in this terminal (default)")
    chat.add_argument(
        "--jsonl", action="store_true", help="one JSON object per line in and out, for programs"
    )
    chat.add_argument("--lang", help="language tag to start with, e.g. fr or es")
    sub.add_parser("run", help="run the Telegram bot (long polling; needs TELEGRAM_BOT_TOKEN)")
    sub.add_parser("stats", help="print the anonymous usage counters")
    sub.add_parser("check", help="check the knowledge catalog, the flows and the translations")
    diagrams = sub.add_parser("diagrams", help="print the flows as Mermaid diagrams")
    diagrams.add_argument("--write", metavar="README", help="replace the diagrams in this file")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = args.command or "chat"
    if command == "check":
        from bot.check import run_check

        return run_check()
    if command == "diagrams":
        from bot.check import write_diagrams

        return write_diagrams(args.write)
    try:
        settings = Settings()
    except ValueError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else None
    logs.add_secret(token)
    logs.setup(settings.log_level)
    try:
        return _serve(command, settings, token, args)
    except AlreadyRunning as exc:
        print(f"sp-advisor: {exc}.", file=sys.stderr)
        return 1


def _serve(command: str, settings: Settings, token: str | None, args: argparse.Namespace) -> int:
    if command == "run":
        if not token:
            print(
                "TELEGRAM_BOT_TOKEN is not set. Start the terminal chat with: python -m bot chat",
                file=sys.stderr,
            )
            return 2
        from bot.telegram import run_polling

        return run_polling(settings)
    if command == "stats":
        from bot.operator import print_stats

        return asyncio.run(print_stats(settings))
    from bot.console import run_console

    return asyncio.run(run_console(settings, jsonl=args.jsonl, lang=args.lang))


if __name__ == "__main__":
    sys.exit(main())
