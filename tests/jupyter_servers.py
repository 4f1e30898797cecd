"""Real Jupyter servers for the remote-kernel tests: `jupyter server` on 127.0.0.1, a
random port and a token, its kernels from this interpreter; and a TCP relay in front of
one that a test can cut, to drop the kernel WebSocket without touching the server."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class JupyterServerProcess:
    """`jupyter server` with its own runtime and root folders; `restart()` keeps the port
    and token (a server that went down and up again), not its kernels."""

    def __init__(self, root: Path, *extra_args: str, port: int | None = None) -> None:
        self.root = root
        self.port = port or free_port()
        self.token = secrets.token_hex(16)
        self.extra_args = extra_args
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = root / "jupyter-server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> JupyterServerProcess:
        (self.root / "work").mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "JUPYTER_RUNTIME_DIR": str(self.root / "runtime"),
            "JUPYTER_CONFIG_DIR": str(self.root / "config"),
            "JUPYTER_DATA_DIR": str(self.root / "data"),
        }
        env.pop("JUPYTER_PATH", None)
        log = open(self.log_path, "ab")  # noqa: SIM115 (the process writes it until stopped)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter_server",
                "--no-browser",
                "--allow-root",  # CI runs as root
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={self.port}",
                "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={self.token}",
                f"--ServerApp.root_dir={self.root / 'work'}",
                # the server notices a dead kernel within half a second (default 3 s)
                "--KernelRestarter.time_to_dead=0.5",
                *self.extra_args,
            ],
            env=env,
            cwd=self.root / "work",  # where its kernels start
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while not self.answers():
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter server exited early:\n{self.log()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"jupyter server did not start in {timeout} s:\n{self.log()}")
            time.sleep(0.1)
        return self

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def get(self, path: str) -> object:
        request = urllib.request.Request(
            f"{self.url}/{path}", headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=5) as reply:
            return json.loads(reply.read())

    def answers(self) -> bool:
        try:
            self.get("api/status")
        except (OSError, urllib.error.URLError, ValueError):
            return False
        return True

    def kernels(self) -> list[dict[str, object]]:
        kernels = self.get("api/kernels")
        assert isinstance(kernels, list)
        return kernels

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self) -> JupyterServerProcess:
        self.kill()
        return self.start()


class CuttableRelay:
    """A TCP relay on 127.0.0.1 to `port`; `cut()` drops every connection through it (the
    network failing under a WebSocket), while new connections go through again."""

    def __init__(self, port: int) -> None:
        self.target = port
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.connections = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> CuttableRelay:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._writers -= {writer, up_writer}

    def cut(self) -> int:
        """Drop every open connection; how many there were."""
        writers, self._writers = self._writers, set()
        for writer in writers:
            transport = writer.transport
            if transport is not None:
                transport.abort()
        return len(writers) // 2

    async def close(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
