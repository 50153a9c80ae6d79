"""ngo-bot: a Telegram bot for Kazakhstan's NGOs and the state grant system."""

from bot.aiogram_types import defer_aiogram_type_builds

# Before anything imports aiogram: its Bot API models build on first use.
defer_aiogram_type_builds()
