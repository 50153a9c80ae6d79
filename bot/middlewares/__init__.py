"""Middlewares. Each is attached where it is needed, in `bot.app`."""
