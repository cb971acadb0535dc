"""Command line: `python -m bot [chat|run|stats|report|check|...]` (chat is the default)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import logs, startup
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
    run = sub.add_parser(
        "run", help="run the Telegram bot (long polling, or --webhook; needs TELEGRAM_BOT_TOKEN)"
    )
    run.add_argument(
        "--webhook", metavar="URL",
        help="receive updates at this https URL (also SP_ADVISOR_WEBHOOK_URL) instead of polling",
    )
    sub.add_parser(
        "health", help="exit 0 only if a bot runs on this data folder and its loops are alive"
    )
    sub.add_parser("stats", help="print the anonymous usage counters")
    report = sub.add_parser("report", help="write the anonymous usage report (one HTML file)")
    report.add_argument("--out", metavar="FILE", type=Path, help="where to write it")
    backup = sub.add_parser("backup", help="write a consistent sealed copy of the database")
    backup.add_argument("file", type=Path, help="the new file (never overwritten)")
    rotate = sub.add_parser(
        "rotate-key", help="re-seal everything under a new key (stop the bot first)"
    )
    rotate.add_argument("--new-key-file", type=Path, metavar="FILE",
                        help="where to write the new key (needed when the key is set by variable)")
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
    if command == "health":
        return _health()
    try:
        return _with_data(command, args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        message, code = startup.message_for(exc)
        print(f"sp-advisor: {message}", file=sys.stderr)
        return code


def _health() -> int:
    from bot.health import check

    try:
        data_dir = Settings().data_dir
    except Exception as exc:
        message, code = startup.message_for(exc)
        print(f"sp-advisor: {message}", file=sys.stderr)
        return code
    healthy, why = check(data_dir)
    print(why, file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else 1


def _with_data(command: str, args: argparse.Namespace) -> int:
    """The commands that open the store: people's data will be in this process."""
    startup.no_core_dumps()
    settings = Settings()
    if getattr(args, "webhook", None):
        if not args.webhook.startswith("https://"):
            raise startup.StartupError("--webhook must be an https:// URL")
        settings = settings.model_copy(update={"webhook_url": args.webhook})
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
            raise startup.StartupError(
                "TELEGRAM_BOT_TOKEN is not set. Start the terminal chat with: python -m bot chat"
            )
        if settings.webhook_url and settings.webhook_secret is None:
            raise startup.StartupError("webhook mode needs SP_ADVISOR_WEBHOOK_SECRET")
        from bot.telegram import run_polling

        return run_polling(settings)
    if command == "stats":
        from bot.operator import print_stats

        return asyncio.run(print_stats(settings))
    if command == "backup":
        from bot.ops import run_backup

        return run_backup(settings, args.file)
    if command == "rotate-key":
        from bot.ops import run_rotate_key

        return run_rotate_key(settings, args.new_key_file)
    if command == "report":
        from bot.ops import run_report

        return asyncio.run(run_report(settings, args.out))
    from bot.console import run_console

    return asyncio.run(run_console(settings, jsonl=args.jsonl, lang=args.lang))


if __name__ == "__main__":
    sys.exit(main())
