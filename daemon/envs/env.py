"""Python environments on disk: what one holds (a spec and its hash), how one is built
(uv or conda through py-rattler), its marker, and whether it is still usable.

An environment is a directory `envs/nbdesk-<kind>-<id>` whose marker `nbdesk-env.json`
records the hash of its package set, who owns it (None while it sits in a pool) and
when it was last used. The marker is written last, so a directory without one is a
build that never finished. Which environments exist, who takes them and when they are
collected is `nbdesk.daemon.envs.pools` and `nbdesk.daemon.envs.environments`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import shutil
import signal
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from nbdesk.daemon.home import frozen
from nbdesk.daemon.home.atomic import atomic_write
from nbdesk.daemon.home.frozen import uv_binary
from nbdesk.daemon.wire.errors import EnvError

log = logging.getLogger(__name__)
EnvKind = Literal["uv", "conda", "deps", "layer"]
MARKER = "nbdesk-env.json"
KERNEL_PACKAGES = ("ipykernel", "ipywidgets")
CONDA_PACKAGES = ("python", "ipykernel", "ipywidgets")
BUILD_TIMEOUT = 900.0
LINE_LIMIT = 1 << 20


@dataclass(frozen=True)
class EnvSpec:
    """What an environment holds; equal specs make interchangeable environments."""

    kind: EnvKind
    packages: tuple[str, ...]
    channels: tuple[str, ...] = ()
    base_python: str = ""
    pip: tuple[str, ...] = ()  # a conda environment's PyPI packages, installed after it

    @property
    def hash(self) -> str:
        content: dict[str, Any] = {
            "kind": "conda" if self.kind == "conda" else "uv",
            "packages": sorted(self.packages),
            "channels": list(self.channels),
            "base_python": self.base_python,
        }
        if self.pip:
            content["pip"] = sorted(self.pip)
        body = json.dumps(content, sort_keys=True)
        return hashlib.sha256(body.encode()).hexdigest()


def uv_spec(extra: tuple[str, ...] = (), kind: EnvKind = "uv") -> EnvSpec:
    """A uv venv on the daemon's own base interpreter with the kernel packages and `extra`."""
    packages = tuple(dict.fromkeys((*KERNEL_PACKAGES, *extra)))
    return EnvSpec(kind, packages, base_python=base_python())


def conda_spec(channels: tuple[str, ...], extra: tuple[str, ...] = ()) -> EnvSpec:
    return EnvSpec("conda", tuple(dict.fromkeys((*CONDA_PACKAGES, *extra))), channels)


def base_python() -> str:
    """The interpreter a venv is made from: the one the daemon runs on, outside any venv.

    The frozen app has no interpreter of its own to offer, so there `NBDESK_BASE_PYTHON`
    (a path, or a version uv understands such as `3.12`) or else a `python3` on PATH;
    failing both, `3`, which lets uv find (or fetch) one."""
    if frozen.is_frozen():
        return os.environ.get("NBDESK_BASE_PYTHON") or shutil.which("python3") or "3"
    return os.path.realpath(getattr(sys, "_base_executable", sys.executable))


@dataclass
class Env:
    """One environment directory and what its marker says."""

    path: Path
    kind: EnvKind
    hash: str
    owner: str | None = None
    created: float = 0.0
    last_used: float = 0.0

    def __repr__(self) -> str:
        return f"Env({self.path.name}, owner={self.owner})"

    @property
    def python(self) -> str:
        return str(self.path / "bin" / "python")

    def usable(self, expected_hash: str | None = None) -> bool:
        """Python present and runnable, and (when given) the package set still the one wanted."""
        python = Path(self.python)
        if not python.exists() or not os.access(python, os.X_OK):
            return False
        return expected_hash is None or self.hash == expected_hash

    def write_marker(self) -> None:
        body = {
            "kind": self.kind,
            "hash": self.hash,
            "owner": self.owner,
            "created": self.created,
            "last_used": self.last_used,
        }
        atomic_write(self.path / MARKER, (json.dumps(body, indent=1) + "\n").encode(), private=True)

    def touch(self, owner: str | None = None) -> None:
        if owner is not None:
            self.owner = owner
        self.last_used = time.time()
        try:
            self.write_marker()
        except OSError as exc:
            log.warning("%r: cannot update the marker (%s)", self, exc)


def read_env(path: Path) -> Env | None:
    """The environment at `path` per its marker, or None when the marker is missing or bad."""
    try:
        body = json.loads((path / MARKER).read_text())
        kind = body["kind"]
        if kind not in ("uv", "conda", "deps", "layer"):
            return None
        return Env(
            path=path,
            kind=kind,
            hash=str(body["hash"]),
            owner=body.get("owner"),
            created=float(body.get("created", 0)),
            last_used=float(body.get("last_used", 0)),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def new_env_path(root: Path, kind: EnvKind) -> Path:
    return root / f"nbdesk-{kind}-{uuid.uuid4().hex[:12]}"


async def remove_env(path: Path) -> None:
    await asyncio.to_thread(shutil.rmtree, path, True)


class Processes:
    """Builder subprocesses still running, so a stopping daemon can kill their groups."""

    def __init__(self) -> None:
        self._running: set[asyncio.subprocess.Process] = set()

    async def run(
        self,
        *argv: str,
        timeout: float = BUILD_TIMEOUT,
        cwd: Path | None = None,
        on_line: Callable[[str], None] | None = None,
    ) -> str:
        """Run `argv` in its own process group and return its stdout; raise EnvError with
        its output on failure.

        Each line the process writes to stderr (where uv reports what it does) goes to
        `on_line` as soon as it is written, so a caller can show a long build's progress."""
        process = await asyncio.create_subprocess_exec(
            *argv,
            cwd=cwd,
            env={**os.environ, **frozen.outside_env()},
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,
            limit=LINE_LIMIT,
        )
        self._running.add(process)
        stdout: list[str] = []
        stderr: list[str] = []
        assert process.stdout is not None and process.stderr is not None
        try:
            await asyncio.wait_for(
                asyncio.gather(
                    _read_lines(process.stdout, stdout.append),
                    _read_lines(process.stderr, _both(stderr.append, on_line)),
                    process.wait(),
                ),
                timeout,
            )
        except BaseException:
            self._kill(process)
            with contextlib.suppress(Exception):
                await process.wait()
            raise
        finally:
            self._running.discard(process)
        if process.returncode != 0:
            text = "".join(stderr + stdout).strip()
            raise EnvError(f"{Path(argv[0]).name} {argv[1]} failed: {text[-2000:]}")
        return "".join(stdout)

    def _kill(self, process: asyncio.subprocess.Process) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)

    def kill_all(self) -> None:
        for process in list(self._running):
            self._kill(process)

    def __len__(self) -> int:
        return len(self._running)


async def _read_lines(stream: asyncio.StreamReader, sink: Callable[[str], None]) -> None:
    """Hand each line of `stream` to `sink` as it arrives (a line longer than the reader's
    limit arrives in pieces)."""
    while True:
        try:
            line = await stream.readuntil(b"\n")
        except asyncio.IncompleteReadError as exc:
            if exc.partial:
                sink(exc.partial.decode(errors="replace"))
            return
        except asyncio.LimitOverrunError as exc:
            line = await stream.readexactly(exc.consumed)
        sink(line.decode(errors="replace"))


def _ignore(line: str) -> None:
    pass


def _both(keep: Callable[[str], None], show: Callable[[str], None] | None) -> Callable[[str], None]:
    def sink(line: str) -> None:
        keep(line)
        if show is not None:
            show(line.rstrip("\r\n"))

    return sink


async def uv_pip_install(
    python: str,
    packages: tuple[str, ...],
    processes: Processes,
    on_line: Callable[[str], None] = _ignore,
) -> None:
    """`uv pip install` of `packages` into the environment of `python`, its output streamed."""
    await processes.run(
        uv_binary(), "pip", "install", "--python", python, *packages, on_line=on_line
    )


async def build_uv(
    path: Path,
    spec: EnvSpec,
    processes: Processes,
    on_line: Callable[[str], None] | None = None,
) -> None:
    """`uv venv` then `uv pip install` of the spec's packages, bytecode compiled; with
    `on_line`, uv's own lines go there (a notebook's build, shown as it happens)."""
    uv = uv_binary()
    await processes.run(
        uv, "venv", "--quiet", "--python", spec.base_python, str(path), on_line=on_line
    )
    await processes.run(
        uv,
        "pip",
        "install",
        *(() if on_line else ("--quiet",)),
        "--compile-bytecode",
        "--python",
        str(path / "bin" / "python"),
        *spec.packages,
        on_line=on_line,
    )


async def build_conda(
    path: Path, spec: EnvSpec, cache_dir: Path, on_line: Callable[[str], None] = _ignore
) -> None:
    """Solve the spec against its channels and install it with py-rattler (no conda needed)."""
    try:
        import rattler
    except ImportError:
        raise EnvError(
            "conda environments need py-rattler, which this build of nbdesk leaves out "
            "to stay small; install nbdesk from pip to use conda pools"
        ) from None

    try:
        on_line(f"solving {', '.join(spec.packages)} from {', '.join(spec.channels)}")
        records = await rattler.solve(
            [rattler.Channel(channel) for channel in spec.channels],
            list(spec.packages),
            virtual_packages=rattler.VirtualPackage.detect(),
        )
        on_line(f"installing {len(records)} conda packages into {path}")
        await rattler.install(records, path, cache_dir=cache_dir, show_progress=False)
    except Exception as exc:
        raise EnvError(f"conda environment from {', '.join(spec.channels)}: {exc}") from exc


async def build(
    path: Path,
    spec: EnvSpec,
    processes: Processes,
    cache_dir: Path,
    *,
    owner: str | None = None,
    on_line: Callable[[str], None] = _ignore,
) -> Env:
    """Build `spec` at `path` and write its marker; a failed build leaves nothing behind."""
    try:
        if spec.kind == "conda":
            await build_conda(path, spec, cache_dir, on_line)
            if spec.pip:
                await uv_pip_install(str(path / "bin" / "python"), spec.pip, processes, on_line)
        else:
            await build_uv(path, spec, processes, None if on_line is _ignore else on_line)
        now = time.time()
        env = Env(path, spec.kind, spec.hash, owner=owner, created=now, last_used=now)
        if not env.usable():
            raise EnvError(f"the environment at {path} has no runnable python")
        env.write_marker()
        return env
    except BaseException:
        await asyncio.shield(remove_env(path))
        raise


def describe(env: Env) -> dict[str, Any]:
    return {"id": env.path.name, "kind": env.kind, "owner": env.owner, "last_used": env.last_used}
