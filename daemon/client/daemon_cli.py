"""`nbdesk daemon start|stop|status|logs|gc`: manage the per-user daemon from a terminal
(`nbdesk daemon serve`, the daemon itself, is dispatched by `nbdesk.cli`).

`start` spawns the daemon detached (its own session, so it outlives the terminal and
the app) and waits until it answers; a running daemon is reported, not duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from typing import Any

import msgspec

from nbdesk.daemon.client.connection import DaemonNotRunning
from nbdesk.daemon.client.control_client import ControlClient
from nbdesk.daemon.client.did_you_mean import closest
from nbdesk.daemon.home import frozen
from nbdesk.daemon.home.config import Home, read_info

START_TIMEOUT = 30.0


def daemon_command() -> list[str]:
    """How to run the daemon: `python -m nbdesk.daemon`, or the frozen app's `daemon serve`."""
    return frozen.daemon_argv()


async def ping(home: Home) -> dict[str, Any] | None:
    try:
        async with await ControlClient.connect(home) as control:
            return msgspec.to_builtins(await control.status())
    except (DaemonNotRunning, OSError, TimeoutError):
        return None


def accepts_connections(home: Home) -> bool:
    """Whether something listens on the home's socket (a leftover socket file does not)."""
    probe = socket.socket(socket.AF_UNIX)
    try:
        probe.connect(str(home.socket))
    except OSError:
        return False
    finally:
        probe.close()
    return True


def wait_until_serving(
    home: Home, process: subprocess.Popen[bytes] | None = None, timeout: float = START_TIMEOUT
) -> None:
    """Block until the daemon for `home` accepts connections; if `process` (the daemon
    just started) exits first or time runs out, raise with the end of its log."""
    deadline = time.monotonic() + timeout
    while not accepts_connections(home):
        if process is not None and process.poll() is not None:
            raise DaemonNotRunning(f"the daemon exited early; log:\n{_log_tail(home)}")
        if time.monotonic() > deadline:
            raise DaemonNotRunning(
                f"the daemon did not start within {timeout:g} s; log:\n{_log_tail(home)}"
            )
        time.sleep(0.02)


def _log_tail(home: Home, lines: int = 40) -> str:
    try:
        return "\n".join(home.log_file.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"(no log at {home.log_file})"


def start(home: Home) -> dict[str, Any]:
    """Ensure a daemon runs for `home`; returns its status."""
    running = asyncio.run(ping(home))
    if running is not None:
        return running
    home.prepare()
    process = subprocess.Popen(
        daemon_command(),
        env={**os.environ, "NBDESK_HOME": str(home.root)},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        close_fds=True,
    )
    wait_until_serving(home, process)
    started = asyncio.run(ping(home))
    if started is None:
        raise DaemonNotRunning(f"the daemon started but does not answer; see {home.log_file}")
    return started


def stop(home: Home) -> bool:
    """Ask the daemon to flush and exit; False when none was running."""
    info = read_info(home) or {}

    async def ask() -> bool:
        try:
            async with await ControlClient.connect(home) as control:
                await control.stop()
        except DaemonNotRunning:
            return False
        return True

    if not asyncio.run(ask()):
        return False
    pid = info.get("pid")
    deadline = time.monotonic() + START_TIMEOUT
    while isinstance(pid, int) and _pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return True


def _pid_alive(pid: int) -> bool:
    """Whether `pid` runs; a child of ours that exited is reaped (a zombie is not alive)."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass  # not our child
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _print_status(status: dict[str, Any]) -> None:
    print(f"nbdesk daemon {status['version']} (pid {status['pid']}), up {status['uptime']:.0f} s")
    print(f"  home    {status['home']}")
    print(f"  socket  {status['socket']}")
    print(f"  blobs   {status.get('blob_url') or '-'}")
    kernels_mb = status.get("kernels_rss_bytes", 0) / 1e6
    print(f"  memory  {status['rss_bytes'] / 1e6:.1f} MB (kernels {kernels_mb:.1f} MB)")
    rooms = status.get("rooms", [])
    print(f"  rooms   {len(rooms)}")
    for room in rooms:
        where = room["path"] or "untitled"
        print(
            f"    {room['notebook_id']}  {room['state']:6}  peers={room['peers']}  cells={room['cells']}  {where}"
        )
        print(
            f"      kernel {room['kernel']} pid={room.get('kernel_pid')}  {room.get('python') or ''}"
        )
    _print_pools(status.get("pools") or {})


def _print_pools(pools: dict[str, Any]) -> None:
    print("  pools")
    for kind in ("uv", "conda"):
        pool = pools.get(kind)
        if not pool:
            continue
        line = f"    {kind:6} ready {pool['ready']}/{pool['size']}  warming {pool['warming']}"
        line += f"  failures {pool['failures']}"
        if pool.get("error"):
            retry = pool.get("retry_in")
            line += f"  retry in {retry:.0f} s" if retry is not None else ""
            line += f"\n      last error: {pool['error'].splitlines()[-1][:200]}"
        print(line)
    hot = pools.get("hot_kernels")
    if hot:
        print(
            f"    hot    ready {hot['ready']}/{hot['size']}  starting {hot['starting']}  failures {hot['failures']}"
        )
    envs = pools.get("envs", [])
    print(f"  envs    {len(envs)} on disk")


def _logs(home: Home, lines: int, follow: bool) -> int:
    if not home.log_file.exists():
        print(f"no log yet at {home.log_file}", file=sys.stderr)
        return 1
    with open(home.log_file, encoding="utf-8", errors="replace") as log:
        for line in log.readlines()[-lines:]:
            print(line, end="")
        while follow:
            line = log.readline()
            if line:
                print(line, end="", flush=True)
            else:
                time.sleep(0.2)
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="nbdesk daemon", description="Manage the nbdesk daemon.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("start", help="start the daemon in the background (no-op if it runs)")
    commands.add_parser("serve", help="run the daemon in the foreground (nbdeskd) [--quiet]")
    commands.add_parser("stop", help="flush every notebook and stop the daemon")
    status_parser = commands.add_parser("status", help="show the daemon, its rooms and memory")
    status_parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    gc_parser = commands.add_parser(
        "gc", help="delete stored outputs and environments no notebook uses"
    )
    gc_parser.add_argument("--min-age", type=float, default=3600.0, help="seconds (default 3600)")
    gc_parser.add_argument(
        "--env-max-age",
        type=float,
        default=None,
        help="remove environments unused for this many seconds (default: NBDESK_ENV_MAX_AGE)",
    )
    logs = commands.add_parser("logs", help="print the daemon's log")
    logs.add_argument("-n", "--lines", type=int, default=100)
    logs.add_argument("-f", "--follow", action="store_true")
    known = commands.choices
    if argv and argv[0] not in known and not argv[0].startswith("-"):
        meant = closest(argv[0], known)
        if meant is not None:
            print(
                f"nbdesk daemon: {argv[0]!r} is not a command. Did you mean `nbdesk daemon {meant}`?",
                file=sys.stderr,
            )
            return 2
    args = parser.parse_args(argv)
    home = Home.from_env()

    if args.command == "start":
        running = start(home)
        print(f"nbdesk daemon running (pid {running['pid']}, socket {running['socket']})")
        return 0
    if args.command == "stop":
        print("nbdesk daemon stopped" if stop(home) else "nbdesk daemon was not running")
        return 0
    if args.command == "status":
        status = asyncio.run(ping(home))
        if status is None:
            print("nbdesk daemon is not running")
            return 1
        if args.json:
            print(json.dumps(status, indent=1))
        else:
            _print_status(status)
        return 0
    if args.command == "gc":
        report = asyncio.run(_collect(home, args.min_age, args.env_max_age))
        print(
            f"deleted {report['deleted']} blobs ({report['bytes_freed'] / 1e6:.1f} MB), kept {report['kept']}"
        )
        removed = report.get("envs_removed", [])
        print(
            f"removed {len(removed)} unused environments{': ' if removed else ''}{' '.join(removed)}"
        )
        return 0
    return _logs(home, args.lines, args.follow)


async def _collect(home: Home, min_age: float, env_max_age: float | None) -> dict[str, Any]:
    async with await ControlClient.connect(home) as control:
        return msgspec.to_builtins(await control.collect_garbage(min_age, env_max_age))
