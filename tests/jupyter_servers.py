"""Real Jupyter servers for the remote-kernel tests: `jupyter server` on 127.0.0.1, a
random port and a token, its kernels from this interpreter; Jupyter Enterprise Gateway
the same way, from its own venv (`build/eg-venv`: its pins conflict with nbdesk's), its
kernels started locally through the gateway API; and a TCP relay in front of one that a
test can cut, to drop the kernel WebSocket without touching the server."""

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


EG_VENV = Path(__file__).resolve().parent.parent / "build" / "eg-venv"
EG_PROGRAM = EG_VENV / "bin" / "jupyter-enterprisegateway"


class JupyterServerProcess:
    """`jupyter server` with its own runtime and root folders; `restart()` keeps the port
    and token (a server that went down and up again), not its kernels."""

    name = "jupyter server"
    health_path = "api/status"

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
        env.update(self.extra_env())
        log = open(self.log_path, "ab")  # noqa: SIM115 (the process writes it until stopped)
        self.proc = subprocess.Popen(
            self.command(),
            env=env,
            cwd=self.root / "work",  # where its kernels start
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while not self.answers():
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{self.log()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start in {timeout} s:\n{self.log()}")
            time.sleep(0.1)
        return self

    def extra_env(self) -> dict[str, str]:
        return {}

    def command(self) -> list[str]:
        return [
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
        ]

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
            self.get(self.health_path)
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


class EnterpriseGatewayProcess(JupyterServerProcess):
    """Jupyter Enterprise Gateway (pinned in the Makefile's `eg-venv`) on 127.0.0.1 with a
    token. Its one kernelspec, `python3`, runs this interpreter's ipykernel through EG's
    LocalProcessProxy: EG's own venv cannot hold nbdesk's ipykernel (EG pins pyzmq < 25),
    and the kernel under test should be the one the local side runs."""

    name = "Enterprise Gateway"
    health_path = "api/kernelspecs"  # EG serves no /api/status
    # users EG refuses kernels to, token or not (its default, root, is who CI runs as)
    unauthorized_users: frozenset[str] = frozenset()

    def extra_env(self) -> dict[str, str]:
        kernel_dir = self.root / "data" / "kernels" / "python3"
        kernel_dir.mkdir(parents=True, exist_ok=True)
        spec = {
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (gateway)",
            "language": "python",
            "metadata": {
                "process_proxy": {
                    "class_name": (
                        "enterprise_gateway.services.processproxies.processproxy.LocalProcessProxy"
                    )
                }
            },
        }
        (kernel_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
        config = self.root / "config"
        config.mkdir(parents=True, exist_ok=True)
        (config / "jupyter_enterprise_gateway_config.py").write_text(
            f"c.EnterpriseGatewayApp.unauthorized_users = {set(self.unauthorized_users)!r}\n",
            encoding="utf-8",
        )
        return {"JUPYTER_PATH": str(self.root / "data")}

    def command(self) -> list[str]:
        return [
            str(EG_PROGRAM),
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--port_retries=0",
            f"--EnterpriseGatewayApp.auth_token={self.token}",
            "--KernelRestarter.time_to_dead=0.5",  # as for `jupyter server` above
            "--EnterpriseGatewayApp.list_kernels=True",  # so tests see what runs on it
            *self.extra_args,
        ]


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
