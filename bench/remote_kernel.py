"""A remote kernel through nbdesk, against a raw client of the same server's WebSocket.

One local `jupyter server` (127.0.0.1, a random port, a token; the tests' own fixture
class) and one nbdesk daemon with that server added, in the same run:

1. Round trip of `1+1`. nbdesk: `await client.execute(cell)` on a notebook whose kernel
   was picked on the server (`change_kernel remote`): the request, the daemon sending it
   over the kernel WebSocket, the outputs in the document and the client's replica, and
   fetched. Raw: one aiohttp WebSocket to another kernel of the same server (v1
   subprotocol, jupyter_server's own framing functions), `execute_request` then reading
   until the reply and IOPub `idle` for it. Target: nbdesk p50 at most 1.5x raw.
2. The flood: a cell printing `--flood-lines` lines, until it is done on each side (raw:
   the stream text collected). Target: at most 1.2x raw.

The two sides take turns, one execution each, both kernels up all along, so a slowdown
of the machine is shared. Run: `.venv/bin/python bench/remote_kernel.py [--runs N]
[--warmup N] [--flood-lines N] [--flood-runs N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from _daemon import ROOT, BenchDaemon, run_main
from edit_latency import Stats
from jupyter_client.session import Session
from jupyter_server.services.kernels.connection.base import (
    deserialize_msg_from_ws_v1,
    serialize_msg_to_ws_v1,
)

sys.path.insert(0, str(ROOT / "tests"))
from jupyter_servers import JupyterServerProcess

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.home import servers

TARGET_ROUND_TRIP = 1.5
TARGET_FLOOD = 1.2
V1 = "v1.kernel.websocket.jupyter.org"


class RawClient:
    """The baseline: a kernel of the server driven over its WebSocket, nothing else."""

    def __init__(self, server: JupyterServerProcess) -> None:
        self.server = server
        self.session = Session(username="bench")
        self.http = aiohttp.ClientSession(headers={"Authorization": f"token {server.token}"})
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.kernel_id = ""

    async def start(self) -> RawClient:
        async with self.http.post(f"{self.server.url}/api/kernels", json={"name": "python3"}) as r:
            self.kernel_id = (await r.json())["id"]
        url = f"ws://127.0.0.1:{self.server.port}/api/kernels/{self.kernel_id}/channels"
        self.ws = await self.http.ws_connect(
            f"{url}?session_id={self.session.session}",
            protocols=(V1,),
            max_msg_size=0,
            heartbeat=10.0,
        )
        assert self.ws.protocol == V1
        await self.execute("None")
        return self

    async def execute(self, code: str) -> str:
        assert self.ws is not None
        msg = self.session.msg("execute_request", {"code": code, "silent": False})
        msg_id = msg["header"]["msg_id"]
        await self.ws.send_bytes(serialize_msg_to_ws_v1(msg, "shell", self.session.pack))
        stream: list[str] = []
        replied = idle = False
        while not (replied and idle):
            frame = await self.ws.receive_bytes()
            channel, parts = deserialize_msg_from_ws_v1(frame)
            parent = self.session.unpack(parts[1])
            if parent.get("msg_id") != msg_id:
                continue
            msg_type = self.session.unpack(parts[0])["msg_type"]
            content = self.session.unpack(parts[3])
            if channel == "shell":
                replied = True
            elif msg_type == "stream":
                stream.append(content["text"])
            elif msg_type == "status" and content["execution_state"] == "idle":
                idle = True
        return "".join(stream)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        async with self.http.delete(f"{self.server.url}/api/kernels/{self.kernel_id}"):
            pass
        await self.http.close()


def ms_since(start_ns: int) -> float:
    return (time.perf_counter_ns() - start_ns) / 1e6


async def measure(
    args: argparse.Namespace, daemon: BenchDaemon, server: JupyterServerProcess
) -> int:
    servers.add(daemon.home, "bench", server.url, server.token)
    client = await NotebookClient.create(home=daemon.home)
    await client.change_kernel("remote", "bench/python3")
    one = client.add_cell("1+1")
    flood = client.add_cell(f"for i in range({args.flood_lines}):\n    print(i)")
    raw = await RawClient(server).start()
    ours_rt, raw_rt, ours_flood, raw_flood = [], [], [], []
    try:
        for i in range(args.warmup + args.runs):
            start = time.perf_counter_ns()
            result = await client.execute(one)
            took = ms_since(start)
            assert result.outputs[0]["data"]["text/plain"] == "2"
            start = time.perf_counter_ns()
            await raw.execute("1+1")
            raw_took = ms_since(start)
            if i >= args.warmup:
                ours_rt.append(took)
                raw_rt.append(raw_took)
        expected_lines = args.flood_lines
        for _ in range(args.flood_runs):
            start = time.perf_counter_ns()
            result = await client.execute(flood, timeout=600)
            ours_flood.append(ms_since(start))
            assert len(result.outputs[0]["text"].splitlines()) == expected_lines
            start = time.perf_counter_ns()
            text = await raw.execute(f"for i in range({args.flood_lines}):\n    print(i)")
            raw_flood.append(ms_since(start))
            assert len(text.splitlines()) == expected_lines
    finally:
        await raw.close()
        await client.close()
    report(args, ours_rt, raw_rt, ours_flood, raw_flood)
    return 0


def report(
    args: argparse.Namespace,
    ours_rt: list[float],
    raw_rt: list[float],
    ours_flood: list[float],
    raw_flood: list[float],
) -> None:
    print(f"round trip of 1+1 on a local jupyter server's kernel, {args.runs} runs (ms)")
    print(f"{'':<46} {'p50':>8} {'p99':>8} {'mean':>8} {'max':>8}")
    ours, base = (
        Stats("nbdesk (execute_cell -> outputs fetched)", ours_rt),
        Stats("raw WebSocket client", raw_rt),
    )
    print(ours.row())
    print(base.row())
    ratio = ours.p50 / base.p50
    verdict = "meets" if ratio <= TARGET_ROUND_TRIP else "misses"
    print(f"p50 ratio nbdesk/raw: {ratio:.2f}x ({verdict} the {TARGET_ROUND_TRIP}x target)")
    print()
    print(f"flood of {args.flood_lines:_} lines, {args.flood_runs} runs (ms)")
    ours_mid, raw_mid = statistics.median(ours_flood), statistics.median(raw_flood)
    print(f"{'nbdesk':<46} {ours_mid:8.0f}   (runs: {', '.join(f'{v:.0f}' for v in ours_flood)})")
    print(
        f"{'raw WebSocket client':<46} {raw_mid:8.0f}   (runs: {', '.join(f'{v:.0f}' for v in raw_flood)})"
    )
    ratio = ours_mid / raw_mid
    verdict = "meets" if ratio <= TARGET_FLOOD else "misses"
    print(f"median ratio nbdesk/raw: {ratio:.2f}x ({verdict} the {TARGET_FLOOD}x target)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--flood-lines", type=int, default=100_000)
    parser.add_argument("--flood-runs", type=int, default=3)
    args = parser.parse_args()
    server = JupyterServerProcess(Path(tempfile.mkdtemp(prefix="nbd-js-"))).start()
    try:
        with BenchDaemon(NBDESK_HOT_KERNELS="0", NBDESK_POOL_UV="0") as daemon:
            return asyncio.run(measure(args, daemon, server))
    finally:
        server.stop()


if __name__ == "__main__":
    run_main(main)
