"""The Telegram adapter: `app` (wiring and the run loop), `handlers` (update ->
Event), `render` (Reply -> Bot API calls), `intake` (polling into the inbox, per
person in order), `sender` (carries out the outbox), `housekeeping`."""

from bot.telegram.app import build_application, run_polling
from bot.telegram.handlers import AnyApplication, TelegramAdapter

__all__ = ["AnyApplication", "TelegramAdapter", "build_application", "run_polling"]
