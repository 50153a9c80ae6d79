"""The /_emulator/ control API and the standalone entry point."""

from __future__ import annotations

import asyncio

from bot.dead_letters import RawGetUpdates
from emulator import EmulatorConfig, MethodFault
from emulator.cli import build_parser, config_from_args, run_standalone
from emulator.webhook import chat_key


async def test_control_api_send_messages_calls(http, emu, bot):
    async with http.post("/_emulator/users/1001/send", json={"text": "hi", "wait": False}) as r:
        assert r.status == 200
    updates = await bot.get_updates()
    await bot.send_message(1001, "hello back")
    async with http.get("/_emulator/users/1001/messages") as r:
        texts = [m["text"] for m in (await r.json())["messages"]]
    assert texts == ["hi", "hello back"] and updates[0].message.text == "hi"
    async with http.get("/_emulator/calls", params={"method": "sendMessage"}) as r:
        assert len((await r.json())["calls"]) == 1
    async with http.get("/_emulator/violations") as r:
        assert (await r.json())["count"] == 0
    async with http.post("/_emulator/faults", json={"seed": 3, "error_rate": 1.0}) as r:
        assert r.status == 200
    assert emu.config.faults.error_rate == 1.0
    async with http.post("/_emulator/users/1001/press", json={"text": "Nope", "wait": False}) as r:
        assert r.status == 404


def test_cli_arguments_build_a_config():
    args = build_parser().parse_args(
        ["--port", "0", "--rate-limits", "record", "--time-factor", "10", "--fault-rate", "0.1"]
    )
    config = config_from_args(args)
    assert config.rate_limits.mode == "record" and config.rate_limits.time_factor == 10
    assert config.faults.error_rate == 0.1
    args = build_parser().parse_args(["--fail-method", "getMe=unknown_method:2"])
    assert config_from_args(args).faults.per_method == {"getMe": MethodFault("unknown_method", 2)}


async def test_run_standalone_stops_on_event(capsys):
    stop = asyncio.Event()
    task = asyncio.create_task(run_standalone(EmulatorConfig(), "127.0.0.1", 0, stop=stop))
    await asyncio.sleep(0.1)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert "emulator at http://127.0.0.1:" in capsys.readouterr().out


async def test_raw_updates_of_any_shape_arrive_in_one_batch(http, emu, bot):
    raw = [{"message": {}}, {"update_id": 40, "callback_query": {"from": "?"}}, {"odd": [1]}]
    async with http.post("/_emulator/updates", json={"updates": raw, "wait": False}) as r:
        pushed = (await r.json())["updates"]
    assert [u["update_id"] for u in pushed] == [1, 40, 41]
    answer = await bot(RawGetUpdates())
    assert answer == pushed
    async with http.post("/_emulator/updates", json={"updates": "nope"}) as r:
        assert r.status == 400


def test_the_webhook_orders_an_update_without_a_chat_on_its_own():
    assert chat_key({"update_id": 5, "message": {}}) == ("update", 5)
    assert chat_key({"update_id": 6, "callback_query": {"from": {"id": 9}}}) == 9
    assert chat_key({"update_id": 7, "message": {"chat": {"id": 3}}}) == 3


async def test_control_api_scripts_and_lifts_one_method_s_faults(http, emu):
    token = emu.config.token
    async with http.post("/_emulator/faults/getMe", json={"kind": "html_502", "times": 2}) as r:
        assert r.status == 200
    statuses = []
    for _ in range(3):
        async with http.get(f"/bot{token}/getMe") as response:
            statuses.append(response.status)
    assert statuses == [502, 502, 200]
    async with http.post("/_emulator/faults/setMyCommands", json={"kind": "no_such"}) as r:
        assert r.status == 400
    per_method = {"per_method": {"setMyDescription": {"kind": "unknown_method"}}}
    async with http.post("/_emulator/faults", json=per_method) as r:
        assert r.status == 200
    async with http.post(f"/bot{token}/setMyDescription", json={"description": "d"}) as r:
        assert r.status == 404
    async with http.delete("/_emulator/faults/setMyDescription") as r:
        assert r.status == 200
    async with http.post(f"/bot{token}/setMyDescription", json={"description": "d"}) as r:
        assert r.status == 200
