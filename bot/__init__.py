"""ngo-bot: a Telegram bot for Kazakhstan's NGOs and the state grant system."""
