"""Seeded fault injection: same seed, same faults; each kind looks like the real thing."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import random

import aiohttp
import pytest
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)

from emulator import Emulator, Faults, MethodFault

USER = 1001


async def _run_calls(emu: Emulator, make_bot, faults: Faults) -> list[tuple[str, str]]:
    emu.set_faults(faults)
    emu.fault_injector.records.clear()
    bot = make_bot()
    for n in range(30):
        # Every outcome is fine; only the sequence of faults matters.
        with contextlib.suppress(Exception):
            await bot.send_message(USER, f"m{n}")
    return emu.fault_injector.sequence()


async def test_same_seed_gives_same_fault_sequence(emu, make_bot, started_user):
    faults = Faults(seed=7, error_rate=0.2, burst_429_rate=0.05, burst_length=2)
    first = await _run_calls(emu, make_bot, faults)
    second = await _run_calls(emu, make_bot, faults)
    other = await _run_calls(emu, make_bot, Faults(seed=8, error_rate=0.2, burst_429_rate=0.05))
    assert first and first == second
    assert first != other


async def test_fault_kinds(http, emu, started_user):
    url = f"/bot{emu.config.token}/sendMessage"
    body = {"chat_id": USER, "text": "x"}
    emu.set_faults(Faults(error_rate=1.0, error_statuses=(502,)))
    async with http.post(url, json=body) as response:
        assert response.status == 502 and response.content_type == "text/html"
    emu.set_faults(Faults(error_rate=1.0, error_statuses=(500,)))
    async with http.post(url, json=body) as response:
        assert response.status == 500
        assert (await response.json())["description"] == "Internal Server Error"
    # getMe is not eligible by default; including it is a configuration choice.
    async with http.get(f"/bot{emu.config.token}/getMe") as response:
        assert response.status == 200
    emu.set_faults(Faults(drop_rate=1.0, drop_mode="after"))
    before = len(started_user.messages())
    with pytest.raises(aiohttp.ClientError):
        async with http.post(url, json=body) as response:
            await response.read()
    assert len(started_user.messages()) == before + 1  # executed, then the answer was lost
    emu.set_faults(Faults(drop_rate=1.0, drop_mode="before"))
    with pytest.raises(aiohttp.ClientError):
        async with http.post(url, json=body) as response:
            await response.read()
    assert len(started_user.messages()) == before + 1
    kinds = [r.kind for r in emu.faults]
    assert kinds == ["error_502", "error_500", "drop_after", "drop_before"]
    assert [c.fault for c in emu.calls if c.fault] == kinds


async def test_aiogram_sees_retry_after_and_server_errors(bot, emu, started_user):
    emu.set_faults(Faults(burst_429_rate=1.0, burst_length=2, burst_retry_after=3))
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(USER, "x")
    assert caught.value.retry_after == 3
    emu.set_faults(Faults(error_rate=1.0, error_statuses=(500,)))
    with pytest.raises(TelegramServerError):
        await bot.send_message(USER, "x")
    emu.set_faults(Faults())
    await bot.send_message(USER, "fine again")


async def test_a_timeout_hangs_then_closes_and_a_short_client_timeout_fires(
    make_bot, emu, started_user
):
    bot = make_bot()
    bot.session.timeout = 0.2  # the client gives up before the emulator lets go
    before = len(started_user.messages())
    emu.set_faults(Faults(timeout_rate=1.0, timeout_hold=0.5, timeout_mode="after"))
    with pytest.raises(TelegramNetworkError, match="timeout"):
        await bot.send_message(USER, "executed, never answered")
    patient = make_bot()  # a client that waits longer than the hold sees the connection close
    emu.set_faults(Faults(timeout_rate=1.0, timeout_hold=0.1, timeout_mode="before"))
    with pytest.raises(TelegramNetworkError):
        await patient.send_message(USER, "never executed")
    assert [m.text for m in started_user.messages()[before:]] == ["executed, never answered"]
    assert [r.kind for r in emu.faults] == ["timeout_after", "timeout_before"]
    assert emu.faults[0].detail["hold"] == 0.5


async def test_without_timeouts_the_sequences_stay_those_of_before():
    """Adding the timeout kind must not move the faults other suites were seeded for."""
    from emulator.faults import FaultInjector

    old = FaultInjector(Faults(seed=11, error_rate=0.15, drop_rate=0.1, drop_mode="mixed"))
    kinds = [(d.kind if (d := old.decide("sendMessage")) else None) for _ in range(40)]
    rng = random.Random(11)
    expected = []
    for _ in range(40):
        draws = [rng.random() for _ in range(6)]
        if draws[2] < 0.15:
            expected.append(f"error_{(500, 502)[int(draws[3] * 2)]}")
        elif draws[4] < 0.1:
            expected.append("drop_after" if draws[5] < 0.5 else "drop_before")
        else:
            expected.append(None)
    assert kinds == expected


async def test_a_slow_answer_arrives_late_but_whole(bot, emu, started_user):
    emu.set_faults(Faults(seed=1, slow_rate=1.0, slow_latency=(0.05, 0.1)))
    sent = await bot.send_message(USER, "late but here")
    assert sent.text == "late but here"
    (record,) = emu.faults
    assert record.kind == "slow" and 0.05 <= record.detail["latency"] <= 0.1
    assert emu.fault_injector.eligible_calls == 1


async def test_scripted_faults_look_like_a_proxy_a_cut_body_and_an_unknown_method(
    http, emu, started_user
):
    token = emu.config.token
    emu.set_faults(
        Faults(
            per_method={
                "setMyCommands": MethodFault("html_502"),
                "setMyDescription": MethodFault("unknown_method"),
                "getMe": MethodFault("malformed_json", times=1),
            }
        )
    )
    commands = {"commands": [{"command": "start", "description": "Start"}]}
    for _ in range(2):  # every call, until lifted
        async with http.post(f"/bot{token}/setMyCommands", json=commands) as response:
            assert response.status == 502 and response.content_type == "text/html"
            assert "<title>502 Bad Gateway</title>" in await response.text()
    async with http.post(f"/bot{token}/setMyDescription", json={"description": "d"}) as response:
        assert response.status == 404
        assert await response.json() == {"description": "Not Found"}  # no "ok"
    async with http.get(f"/bot{token}/getMe") as response:
        assert response.status == 200
        with pytest.raises(ValueError):
            json.loads(await response.text())
    async with http.get(f"/bot{token}/getMe") as response:  # only the next one call
        assert (await response.json())["ok"] is True
    assert emu.bot.commands == {} and emu.bot.descriptions == {}
    assert [r.kind for r in emu.faults] == [
        "html_502",
        "html_502",
        "unknown_method",
        "malformed_json",
    ]
    emu.script_fault("setMyCommands", None)
    async with http.post(f"/bot{token}/setMyCommands", json=commands) as response:
        assert (await response.json())["ok"] is True


async def test_aiogram_cannot_decode_the_scripted_answers(make_bot, emu):
    bot = make_bot()
    for kind in ("html_502", "html_504", "malformed_json", "unknown_method"):
        emu.script_fault("getMe", MethodFault(kind, times=1))
        with pytest.raises(ClientDecodeError):
            await bot.get_me()
    emu.script_fault("getMe", MethodFault("error_503", times=1))
    with pytest.raises(TelegramServerError):
        await bot.get_me()
    assert (await bot.get_me()).username == emu.config.bot_username
    calls = emu.calls_of("getMe")
    assert [c.status for c in calls] == [502, 504, 200, 404, 503, 200]
    assert calls[2].fault == "malformed_json" and calls[-1].fault is None


def test_a_scripted_fault_leaves_the_seeded_sequence_alone():
    from emulator.faults import FaultInjector

    seeded = Faults(seed=5, error_rate=0.3, drop_rate=0.1)
    plain = FaultInjector(seeded)
    expected = [(d.kind if (d := plain.decide("sendMessage")) else None) for _ in range(30)]
    scripted = FaultInjector(
        dataclasses.replace(seeded, per_method={"setMyCommands": MethodFault("unknown_method")})
    )
    kinds = []
    for _ in range(30):
        decision = scripted.decide("sendMessage")
        kinds.append(decision.kind if decision else None)
        assert scripted.decide("setMyCommands").kind == "unknown_method"
    assert kinds == expected


def test_a_method_fault_is_checked():
    with pytest.raises(ValueError):
        MethodFault("html_200")
    with pytest.raises(ValueError):
        MethodFault("error_500", times=0)
