"""Three `python -m bot run` processes behind one webhook address, as in production.

`RoundRobinProxy` stands in for nginx's upstream: the emulator knows one webhook
URL (Telegram allows one per bot); the proxy spreads the updates over the live
instances and, like `proxy_next_upstream`, tries the next one when an instance
does not answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from aiohttp import web

from bot.local_world import free_port

WEBHOOK_PATH = "/telegram/webhook"
FORWARDED_HEADERS = ("Content-Type", "X-Telegram-Bot-Api-Secret-Token")


@dataclass
class RoundRobinProxy:
    backends: list[int]
    served: dict[int, int] = field(default_factory=dict)
    # Update ids each instance is handling now (forwarded, not answered yet).
    in_flight: dict[int, set[int]] = field(default_factory=dict)
    # (port, update id) of updates whose instance died while handling them.
    cut_off: list[tuple[int, int]] = field(default_factory=list)
    port: int = 0
    _turn: itertools.count = field(default_factory=itertools.count)
    _runner: web.AppRunner | None = None
    _http: aiohttp.ClientSession | None = None

    async def start(self) -> RoundRobinProxy:
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        app = web.Application()
        app.router.add_post(WEBHOOK_PATH, self._forward)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        self.port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{WEBHOOK_PATH}"

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        headers = {h: request.headers[h] for h in FORWARDED_HEADERS if h in request.headers}
        update_id = json.loads(body).get("update_id")
        first = next(self._turn)
        for offset in range(len(self.backends)):
            port = self.backends[(first + offset) % len(self.backends)]
            handling = self.in_flight.setdefault(port, set())
            handling.add(update_id)
            try:
                async with self._http.post(
                    f"http://127.0.0.1:{port}{WEBHOOK_PATH}", data=body, headers=headers
                ) as answer:
                    payload = await answer.read()
                    self.served[port] = self.served.get(port, 0) + 1
                    return web.Response(
                        body=payload,
                        status=answer.status,
                        headers={"Content-Type": answer.headers.get("Content-Type", "")},
                    )
            except aiohttp.ClientConnectorError:
                continue  # that instance is down: the next one
            except (aiohttp.ClientError, TimeoutError):
                # Died mid-request: Telegram (the emulator) will retry.
                self.cut_off.append((port, update_id))
                break
            finally:
                handling.discard(update_id)
        return web.Response(status=502)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._http is not None:
            await self._http.close()


@dataclass
class Instance:
    port: int
    process: asyncio.subprocess.Process
    log: Path

    async def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                async with asyncio.timeout(20):
                    await self.process.wait()
            except TimeoutError:
                await self.kill()


async def start_instance(env: dict[str, str], port: int, workdir: Path) -> Instance:
    log = workdir / f"instance-{port}.log"
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--no-migrate",
            env=os.environ | env | {"WEBHOOK_LISTEN": f"127.0.0.1:{port}"},
            cwd=workdir, stdout=output, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
    return Instance(port, process, log)


async def wait_healthy(instance: Instance, timeout: float = 60) -> None:
    url = f"http://127.0.0.1:{instance.port}/healthz"
    async with aiohttp.ClientSession() as http, asyncio.timeout(timeout):
        while True:
            if instance.process.returncode is not None:
                raise RuntimeError(f"instance exited: {instance.log.read_text()[-2000:]}")
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(url) as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.2)
