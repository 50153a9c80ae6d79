"""A small JSON control API under /_emulator/, for processes other than the test's own."""

from __future__ import annotations

import dataclasses
from typing import Any

from aiohttp import web

from emulator.config import Faults, MethodFault
from emulator.http_api import EMULATOR_KEY, json_response
from emulator.users import ButtonNotFound, SimulatedUser


def _user(request: web.Request, body: dict[str, Any] | None = None) -> SimulatedUser:
    body = body or {}
    return request.app[EMULATOR_KEY].user(
        int(request.match_info["user_id"]),
        first_name=body.get("first_name", "User"),
        language_code=body.get("language_code", "ru"),
        username=body.get("username"),
    )


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    body = await request.json()
    return body if isinstance(body, dict) else {}


async def send(request: web.Request) -> web.Response:
    body = await _body(request)
    update = await _user(request, body).send(body["text"], wait=body.get("wait", True))
    return json_response(200, {"ok": True, "update": update})


async def press(request: web.Request) -> web.Response:
    body = await _body(request)
    user = _user(request, body)
    update: dict[str, Any] | None
    try:
        if "data" in body:
            update = await user.press_data(body["data"], wait=body.get("wait", True))
        else:
            update = await user.press(body["text"], wait=body.get("wait", True))
    except ButtonNotFound as exc:
        return json_response(404, {"ok": False, "error": str(exc), "available": exc.available})
    return json_response(200, {"ok": True, "update": update})


async def updates(request: web.Request) -> web.Response:
    """Raw updates in any shape: {"updates": [...]} queued at once (one getUpdates
    batch), or {"update": {...}}; with "wait" (default true) until acknowledged."""
    emu = request.app[EMULATOR_KEY]
    body = await _body(request)
    raw = body.get("updates", [body["update"]] if "update" in body else [])
    if not isinstance(raw, list) or not all(isinstance(u, dict) for u in raw):
        return json_response(400, {"ok": False, "error": "updates must be JSON objects"})
    pushed = emu.push_raw_updates(raw)
    if body.get("wait", True):
        try:
            await emu.settle(emu.bot, [u["update_id"] for u in pushed])
        except TimeoutError as exc:
            return json_response(504, {"ok": False, "error": str(exc), "updates": pushed})
    return json_response(200, {"ok": True, "updates": pushed})


async def messages(request: web.Request) -> web.Response:
    user = _user(request)
    return json_response(200, {"ok": True, "messages": [m.to_json() for m in user.transcript()]})


async def calls(request: web.Request) -> web.Response:
    emu = request.app[EMULATOR_KEY]
    method = request.query.get("method")
    chosen = emu.calls_of(method) if method else emu.calls
    return json_response(200, {"ok": True, "calls": [dataclasses.asdict(c) for c in chosen]})


async def violations(request: web.Request) -> web.Response:
    emu = request.app[EMULATOR_KEY]
    found = [dataclasses.asdict(v) for v in emu.violations]
    return json_response(200, {"ok": True, "count": len(found), "violations": found})


async def faults(request: web.Request) -> web.Response:
    emu = request.app[EMULATOR_KEY]
    if request.method == "POST":
        body = await _body(request)
        known = {f.name for f in dataclasses.fields(Faults)}
        options = {k: v for k, v in body.items() if k in known}
        for name in ("latency", "error_statuses"):
            if name in options:
                options[name] = tuple(options[name])
        if options.get("methods") is not None:
            options["methods"] = frozenset(options["methods"])
        try:
            if "per_method" in options:
                options["per_method"] = {
                    method: MethodFault(**fault) for method, fault in options["per_method"].items()
                }
            chosen = Faults(**options)
        except (TypeError, ValueError, AttributeError) as exc:
            return json_response(400, {"ok": False, "error": str(exc)})
        emu.set_faults(chosen)
    injected = [dataclasses.asdict(r) for r in emu.faults]
    return json_response(200, {"ok": True, "injected": injected})


async def method_fault(request: web.Request) -> web.Response:
    """POST {"kind": "html_502", "times": 2} scripts one method's answers (times
    omitted: every call); DELETE lifts them. The seeded faults go on as they were."""
    emu = request.app[EMULATOR_KEY]
    method = request.match_info["method"]
    if request.method == "DELETE":
        emu.script_fault(method, None)
        return json_response(200, {"ok": True})
    body = await _body(request)
    try:
        fault = MethodFault(body.get("kind", ""), body.get("times"))
    except (TypeError, ValueError) as exc:
        return json_response(400, {"ok": False, "error": str(exc)})
    emu.script_fault(method, fault)
    return json_response(200, {"ok": True})


async def idle(request: web.Request) -> web.Response:
    emu = request.app[EMULATOR_KEY]
    timeout = float(request.query.get("timeout", 10))
    try:
        await emu.wait_idle(timeout=timeout)
    except TimeoutError as exc:
        return json_response(504, {"ok": False, "error": str(exc)})
    return json_response(200, {"ok": True})


def add_control_routes(app: web.Application) -> None:
    app.router.add_post("/_emulator/users/{user_id}/send", send)
    app.router.add_post("/_emulator/users/{user_id}/press", press)
    app.router.add_get("/_emulator/users/{user_id}/messages", messages)
    app.router.add_post("/_emulator/updates", updates)
    app.router.add_get("/_emulator/calls", calls)
    app.router.add_get("/_emulator/violations", violations)
    app.router.add_route("*", "/_emulator/faults", faults)
    app.router.add_post("/_emulator/faults/{method}", method_fault)
    app.router.add_delete("/_emulator/faults/{method}", method_fault)
    app.router.add_post("/_emulator/wait_idle", idle)
