"""The HTTP face of the emulator: /bot{token}/{method} and /file/bot{token}/{path}.

Faults are applied here, around the real execution, because they are transport
failures: a 502 from a proxy has an HTML body, a dropped connection has none, a
body cut short is not JSON, and a server that does not know a method answers 404
without the Bot API's `ok`.
"""

from __future__ import annotations

import asyncio
import json
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from aiohttp import web

from emulator.errors import NOT_FOUND, UNAUTHORIZED, ApiError, too_many_requests
from emulator.method_registry import METHODS, canonical_name
from emulator.params import read_params

if TYPE_CHECKING:
    from emulator.emulator import Emulator

EMULATOR_KEY: web.AppKey[Emulator] = web.AppKey("emulator")
BAD_GATEWAY_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    "</body>\r\n</html>\r\n"
)
# What a Bot API server that does not know a method answers (status 404): no "ok".
UNKNOWN_METHOD = {"description": "Not Found"}


def error_title(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def json_response(status: int, payload: dict[str, Any]) -> web.Response:
    return web.json_response(
        payload, status=status, dumps=lambda value: json.dumps(value, ensure_ascii=False)
    )


def _drop(request: web.Request) -> web.Response:
    """Close the connection without an answer, as a broken network would."""
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=500)  # never reaches the client


async def _hang(request: web.Request, seconds: float) -> web.Response:
    """Sit on the request, then close it unanswered: a server that never replies.

    A client with a shorter timeout gives up first (its own timeout error); one
    with a longer timeout sees the connection close without an answer.
    """
    await asyncio.sleep(seconds)
    return _drop(request)


async def handle_method(request: web.Request) -> web.StreamResponse:
    emu = request.app[EMULATOR_KEY]
    token = request.match_info["token"]
    method = request.match_info["method"]
    bot = emu.bot_for_token(token)
    if bot is None:
        emu.record_call(None, method, {}, UNAUTHORIZED.status, error=UNAUTHORIZED.payload())
        return json_response(401, UNAUTHORIZED.payload())
    name = canonical_name(method)
    tracked = name != "getUpdates"  # a parked long poll is not "the bot working"
    if tracked:
        emu.activity_begin()
    try:
        try:
            params, files = await read_params(request)
        except ApiError as exc:
            emu.record_call(bot, name, {}, exc.status, error=exc.payload())
            return json_response(exc.status, exc.payload())
        if method.lower() not in METHODS:
            emu.record_call(bot, name, params, 404, error=NOT_FOUND.payload())
            return json_response(404, NOT_FOUND.payload())
        return await _with_faults(request, emu, bot, name, params, files)
    finally:
        if tracked:
            emu.activity_end()


async def _with_faults(request, emu, bot, name, params, files) -> web.StreamResponse:
    decision = emu.fault_injector.decide(name)
    if decision is not None and decision.latency:
        await asyncio.sleep(decision.latency)
    kind = decision.kind if decision else None
    if kind == "burst_429":
        error = too_many_requests(decision.retry_after)
        emu.record_call(bot, name, params, 429, error=error.payload(), fault=kind)
        return json_response(429, error.payload())
    if kind == "error_502" or (kind is not None and kind.startswith("html_")):
        status = int(kind.split("_")[1])
        title = error_title(status)
        page = BAD_GATEWAY_HTML.replace("502 Bad Gateway", title)  # nginx's page for it
        emu.record_call(bot, name, params, status, error={"html": title}, fault=kind)
        return web.Response(status=status, text=page, content_type="text/html")
    if kind == "unknown_method":
        emu.record_call(bot, name, params, 404, error=UNKNOWN_METHOD, fault=kind)
        return json_response(404, UNKNOWN_METHOD)
    if kind is not None and kind.startswith("error_"):
        status = int(kind.split("_")[1])
        payload = {"ok": False, "error_code": status, "description": "Internal Server Error"}
        emu.record_call(bot, name, params, status, error=payload, fault=kind)
        return json_response(status, payload)
    if kind == "drop_before":
        emu.record_call(bot, name, params, 0, error={"dropped": "before"}, fault=kind)
        return _drop(request)
    if kind == "timeout_before":
        emu.record_call(bot, name, params, 0, error={"timed_out": "before"}, fault=kind)
        return await _hang(request, emu.config.faults.timeout_hold)
    status, payload = await emu.execute(bot, name, params, files, fault=kind)
    if kind == "drop_after":
        return _drop(request)
    if kind == "timeout_after":
        return await _hang(request, emu.config.faults.timeout_hold)
    if kind == "malformed_json":
        body = json.dumps(payload, ensure_ascii=False)
        return web.Response(
            status=200, text=body[: len(body) // 2], content_type="application/json"
        )
    return json_response(status, payload)


async def handle_file(request: web.Request) -> web.StreamResponse:
    emu = request.app[EMULATOR_KEY]
    bot = emu.bot_for_token(request.match_info["token"])
    if bot is None:
        return json_response(401, UNAUTHORIZED.payload())
    stored = bot.file_by_path(request.match_info["file_path"])
    if stored is None:
        return json_response(404, NOT_FOUND.payload())
    return web.Response(
        body=stored.content, content_type=stored.mime_type or "application/octet-stream"
    )


def add_routes(app: web.Application) -> None:
    app.router.add_route("*", "/bot{token}/{method}", handle_method)
    app.router.add_get("/file/bot{token}/{file_path:.+}", handle_file)
