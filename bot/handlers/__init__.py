"""aiogram routers. Each module exposes `get_router()`; `bot.app` includes them."""
