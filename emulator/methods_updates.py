"""Receiving updates: getUpdates long polling and webhook registration."""

from __future__ import annotations

import asyncio
import contextlib
import re

from emulator.errors import bad_request, conflict
from emulator.method_registry import MethodContext, api_method
from emulator.state import Webhook

WEBHOOK_ACTIVE = (
    "can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first"
)
TERMINATED = (
    "terminated by other getUpdates request; make sure that only one bot instance is running"
)
SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _allowed_updates(ctx: MethodContext) -> list[str] | None:
    allowed = ctx.get("allowed_updates")
    if allowed is None:
        return None
    if not isinstance(allowed, list) or not all(isinstance(kind, str) for kind in allowed):
        raise bad_request("can't parse allowed_updates JSON object")
    return allowed


@api_method("getUpdates")
async def get_updates(ctx: MethodContext) -> list:
    bot = ctx.bot
    if bot.webhook is not None:
        raise conflict(WEBHOOK_ACTIVE)
    bot.poll_generation += 1
    generation = bot.poll_generation
    bot.notify()  # an earlier poll wakes up and sees it was superseded
    offset = ctx.get("offset") or 0
    if offset < 0:
        bot.pending = bot.pending[offset:]
    elif offset:
        bot.acknowledge_below(offset)
    allowed = _allowed_updates(ctx)
    if allowed is not None:
        bot.allowed_updates = allowed
    bot.drop_unwanted()
    limit = min(max(int(ctx.get("limit") or 100), 1), 100)
    timeout = max(int(ctx.get("timeout") or 0), 0)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    waiter = asyncio.Event()
    bot.waiters.add(waiter)
    try:
        while True:
            if bot.poll_generation != generation:
                raise conflict(TERMINATED)
            if bot.webhook is not None:
                raise conflict(WEBHOOK_ACTIVE)
            bot.drop_unwanted()
            remaining = deadline - loop.time()
            if bot.pending or remaining <= 0:
                return list(bot.pending[:limit])
            waiter.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter.wait(), remaining)
    finally:
        bot.waiters.discard(waiter)


@api_method("setWebhook")
async def set_webhook(ctx: MethodContext) -> bool:
    bot = ctx.bot
    url = ctx.get("url") or ""
    if not url:
        await ctx.emulator.remove_webhook(bot)
        return True
    if not re.match(r"^https?://[^\s/]+", url):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = ctx.get("secret_token")
    if secret is not None and not SECRET.match(str(secret)):
        raise bad_request("secret token contains unallowed characters")
    max_connections = min(max(int(ctx.get("max_connections") or 40), 1), 100)
    if ctx.get("drop_pending_updates"):
        bot.pending.clear()
    bot.webhook = Webhook(
        url=url,
        secret_token=secret,
        max_connections=max_connections,
        allowed_updates=_allowed_updates(ctx),
    )
    bot.drop_unwanted()
    bot.notify()  # a waiting getUpdates now fails with the webhook conflict
    ctx.emulator.start_webhook(bot)
    return True


@api_method("deleteWebhook")
async def delete_webhook(ctx: MethodContext) -> bool:
    if ctx.get("drop_pending_updates"):
        ctx.bot.pending.clear()
    await ctx.emulator.remove_webhook(ctx.bot)
    return True


@api_method("getWebhookInfo")
async def get_webhook_info(ctx: MethodContext) -> dict:
    hook = ctx.bot.webhook
    info: dict = {
        "url": hook.url if hook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(ctx.bot.pending),
    }
    if hook:
        info["max_connections"] = hook.max_connections
        if hook.allowed_updates is not None:
            info["allowed_updates"] = hook.allowed_updates
        if hook.last_error_date:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
    return info
