"""Stopping a daemon with many rooms open and every kernel busy printing: SIGTERM to
exit within 5 s, and no ZeroMQ error from a kernel's message handlers on the way out."""

from __future__ import annotations

import asyncio
import re
import signal
import time
from pathlib import Path

from conftest import DaemonProcess

from nbdesk.daemon.client.notebook_client import NotebookClient

ROOMS = 20
STOP_WITHIN = 5.0
BUSY = "import itertools, time\nfor i in itertools.count():\n    print(i, flush=True)\n    time.sleep(0.02)"
ZMQ_TROUBLE = re.compile(r"zmq|ZMQError|Socket operation on non-socket|Traceback", re.IGNORECASE)


async def busy_room(daemon: DaemonProcess) -> NotebookClient:
    """An untitled notebook whose kernel is printing (its output reached this replica)."""
    client = await NotebookClient.create(home=daemon.home)
    cell = client.add_cell(BUSY)
    await client.queue_cell(cell)
    await client.wait_for(lambda doc: bool(doc.cell(cell).outputs), timeout=50)
    return client


async def test_a_busy_daemon_stops_within_five_seconds_and_cleanly(
    daemon_home: Path, tmp_path: Path
) -> None:
    stderr_file = tmp_path / "daemon.err"
    daemon = DaemonProcess(daemon_home, stderr_file=stderr_file).start()
    try:
        clients = await asyncio.gather(*(busy_room(daemon) for _ in range(ROOMS)))
        assert daemon.proc is not None
        started = time.monotonic()
        daemon.proc.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(daemon.proc.wait, 30)
        took = time.monotonic() - started
        print(f"SIGTERM to exit with {ROOMS} busy rooms: {took:.2f} s")
        for client in clients:
            await client.close()
    finally:
        daemon.kill()
    log = daemon.stderr()
    assert "stopped" in log, log[-3000:]
    trouble = [line for line in log.splitlines() if ZMQ_TROUBLE.search(line)]
    assert not trouble, "\n".join(trouble[:40])
    assert code == 0, log[-3000:]
    assert took < STOP_WITHIN, f"the daemon took {took:.2f} s to stop"
