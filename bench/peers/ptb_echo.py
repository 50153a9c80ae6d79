"""A bare python-telegram-bot echo bot: polling, concurrent updates, like our bot runs."""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(update.effective_message.text or "?")


def main() -> None:
    api = os.environ["TELEGRAM_API_URL"]
    application = (
        Application.builder()
        .token(os.environ["BOT_TOKEN"])
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .concurrent_updates(True)
        .build()
    )
    application.add_handler(MessageHandler(filters.ALL, echo))
    application.run_polling(poll_interval=0, timeout=10)


if __name__ == "__main__":
    main()
