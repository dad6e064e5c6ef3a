"""Registration commands per second through HTTP against the same commands through the library,
in one run on one store: ``--students`` students each register for a 报名制 activity (capacity
300; the rest are refused as full, the same mix in every phase).

1. library: ``service.execute(Register(...))`` in this process, one thread, on a facade opened
   after the school was founded (a cold state cache, as the server's);
2. HTTP: ``POST /api/commands`` to uvicorn (one worker, in a child process on the same store,
   its clock fixed inside the registration window), from an asyncio httpx load generator here
   with ``--concurrency`` requests in flight (and with one, for a like-for-like sequence).

The library's CPU a command by phase and its commit time (``Meter``); the server process's CPU
a command in each HTTP phase (``/proc``: the library's work and the HTTP layer's together).

    python benchmarks/http_commands.py [--students 1000] [--concurrency 16] [--postgres DSN]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from common import (
    SECRET,
    BenchStore,
    Meter,
    add_store_option,
    process_cpu_s,
    report,
    summary,
)

from second_classroom.aggregates.registration import Register
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.simulation import TERM_START, School

OPEN = TERM_START + timedelta(days=10)  # inside every registration window
CAPACITY = 300


def serve(env: dict[str, str], port: int) -> None:
    """The child: uvicorn, one worker, over the store the parent founded."""
    import logging

    import uvicorn

    from second_classroom.http import HttpSettings, create_app
    from second_classroom.service import SecondClassroom

    logging.disable(logging.INFO)  # a log line per request would be measured too
    with SecondClassroom.open(env, secret=SECRET) as service:
        settings = HttpSettings(worker=False, clock=lambda: OPEN)
        app = create_app(service, settings)
        uvicorn.run(app, host="127.0.0.1", port=port, log_config=None, access_log=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def load(
    url: str, talk: str, students: list[str], concurrency: int
) -> tuple[float, list[float], dict[int, int]]:
    """Post each student's Register, ``concurrency`` in flight: seconds, latencies, statuses."""
    import httpx

    from second_classroom.http import BearerTokens

    tokens = BearerTokens.from_secret(SECRET)
    now = datetime.now().astimezone()
    headers = {
        n: {"Authorization": f"Bearer {tokens.issue(Actor.student(n), now)}"} for n in students
    }
    body = json.dumps({"type": "Register", "activity_id": talk}).encode()
    queue = list(reversed(students))
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:

        async def worker() -> None:
            while queue:
                number = queue.pop()
                started = time.perf_counter()
                reply = await client.post(
                    "/api/commands",
                    content=body,
                    headers={**headers[number], "Content-Type": "application/json"},
                )
                latencies.append(time.perf_counter() - started)
                statuses[reply.status_code] = statuses.get(reply.status_code, 0) + 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - began, latencies, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--serve", metavar="ENV_JSON", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    add_store_option(parser)
    args = parser.parse_args()
    if args.serve:
        serve(json.loads(args.serve), args.port)
        return
    with BenchStore(args.postgres) as store:
        with store.open() as service:
            school = School.found(service, args.students)
            club = school.clubs[0]  # school level: every student may register (发布规范 二)
            talks = [
                school.publish(service, club, f"talk-{i}", capacity=CAPACITY) for i in range(3)
            ]
            numbers = [number for number, _college in school.students]
        # A fresh facade, as the server's: both start with a cold state cache.
        with store.open() as service, Meter(service) as meter:
            latencies: list[float] = []
            began = time.perf_counter()
            for number in numbers:
                started = time.perf_counter()
                with contextlib.suppress(DomainError):  # full: refused, as over HTTP
                    service.execute(Register(talks[0]), Actor.student(number), OPEN)
                latencies.append(time.perf_counter() - started)
            library_seconds = time.perf_counter() - began
        library: dict[str, Any] = {
            "library_commands_per_s": round(len(numbers) / library_seconds, 1)
        }
        library.update({f"library_{k}": v for k, v in summary(latencies).items()})
        library.update({f"library_{k}": v for k, v in meter.figures(len(numbers)).items()})
        port = free_port()
        child = subprocess.Popen(
            [sys.executable, __file__, "--serve", json.dumps(store.env), "--port", str(port)],
            env={**os.environ},
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_up(url, child)
            figures: dict[str, Any] = {}
            for label, talk, concurrency in (
                ("http_sequential", talks[1], 1),
                ("http", talks[2], args.concurrency),
            ):
                cpu = process_cpu_s(child.pid)
                seconds, times, statuses = asyncio.run(load(url, str(talk), numbers, concurrency))
                assert set(statuses) <= {200, 409}, statuses  # accepted, or full
                figures[f"{label}_commands_per_s"] = round(len(numbers) / seconds, 1)
                spent = process_cpu_s(child.pid)
                if cpu is not None and spent is not None:  # the server's CPU, HTTP included
                    per = (spent - cpu) / len(numbers) * 1e6
                    figures[f"{label}_server_cpu_us_per_command"] = round(per, 1)
                figures.update({f"{label}_{k}": v for k, v in summary(times).items()})
                figures[f"{label}_statuses"] = statuses
        finally:
            child.terminate()
            child.wait(30)
    rate = figures["http_commands_per_s"]
    report(
        {
            "benchmark": "http_commands",
            "store": store.label,
            "students": args.students,
            "concurrency": args.concurrency,
            **library,
            **figures,
            "ratio_http_to_library": round(rate / library["library_commands_per_s"], 3),
            "ratio_http_sequential_to_library": round(
                figures["http_sequential_commands_per_s"] / library["library_commands_per_s"], 3
            ),
        }
    )


def _wait_until_up(url: str, child: subprocess.Popen[bytes]) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{url}/healthz", timeout=2)
            return
        except httpx.TransportError:
            if child.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the HTTP server did not start") from None
            time.sleep(0.2)


if __name__ == "__main__":
    main()
