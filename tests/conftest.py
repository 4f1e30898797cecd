"""Shared fixtures: a blob store, the notebook fixtures on disk, and real daemon processes."""

from __future__ import annotations

import contextlib
import errno
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path

import nbformat
import pytest
from playwright.async_api import Browser, async_playwright

from nbdesk.daemon.blobs.store import BlobStore
from nbdesk.daemon.client.daemon_cli import wait_until_serving
from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.envs import kernelspecs
from nbdesk.daemon.home import servers
from nbdesk.daemon.home.config import Home
from nbdesk.desktop.web_server import ShellServer

FIXTURES = Path(__file__).parent / "fixtures"

# Every daemon a test starts (through these fixtures, the CLI or the app) has its
# environment pools and hot kernels off, so kernels run on this interpreter as before;
# the pool tests opt in with daemon_factory(NBDESK_POOL_UV="2", ...).
POOLS_OFF = {"NBDESK_POOL_UV": "0", "NBDESK_POOL_CONDA": "0", "NBDESK_HOT_KERNELS": "0"}
for _name, _value in POOLS_OFF.items():
    os.environ.setdefault(_name, _value)
sys.path.insert(0, str(FIXTURES))

from jupyter_servers import EG_PROGRAM, EnterpriseGatewayProcess, JupyterServerProcess  # noqa: E402
from make_fixtures import thousand_cells  # noqa: E402


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    return BlobStore(tmp_path / "blobs")


@pytest.fixture(scope="session")
def thousand_cell_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "thousand.ipynb"
    path.write_text(nbformat.writes(thousand_cells()) + "\n", encoding="utf-8")
    return path


def pid_alive(pid: int) -> bool:
    """A process that exists and is not a zombie; one that exits while we look is gone."""
    try:
        os.kill(pid, 0)
        with open(f"/proc/{pid}/stat") as stat:
            state = (
                stat.read().rpartition(")")[2].split()[0]
            )  # after "(comm)", which may hold spaces
    except (ProcessLookupError, FileNotFoundError):
        return False
    return state != "Z"


class DaemonProcess:
    """A real daemon process on a temporary home, stopped (or killed) at teardown."""

    def __init__(self, home_dir: Path, *, stderr_file: Path | None = None, **settings: str) -> None:
        """`stderr_file`: log to stderr too, into that file (outside the home, so a test
        can read every line even when the home's disk is full or the home is gone)."""
        self.home = Home(home_dir)
        self.stderr_file = stderr_file
        self.env = {
            **os.environ,
            "NBDESK_HOME": str(home_dir),
            "NBDESK_KEEP_ALIVE": "30",
            "NBDESK_HANDSHAKE_TIMEOUT": "2",
            "NBDESK_PERSIST_DELAY": "0.05",
            "NBDESK_AUTOSAVE_DELAY": "0.2",
            "RUST_BACKTRACE": "0",
            **settings,
        }
        self.proc: subprocess.Popen[bytes] | None = None
        # ("remote", "SERVER/KERNELSPEC") when new notebooks run on a Jupyter server
        self.kernel_pick: tuple[str, str] | None = None

    def start(self, timeout: float = 60) -> DaemonProcess:
        # generous: on a loaded 2-core machine the interpreter alone can take 20 s to start
        quiet = [] if self.stderr_file else ["--quiet"]
        with contextlib.ExitStack() as files:
            stderr = (
                files.enter_context(self.stderr_file.open("ab"))
                if self.stderr_file
                else subprocess.DEVNULL
            )
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "nbdesk.daemon", *quiet],
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        wait_until_serving(self.home, self.proc, timeout)
        return self

    def stderr(self) -> str:
        """What the daemon wrote to stderr (with `stderr_file`)."""
        assert self.stderr_file is not None, "start the daemon with stderr_file"
        return self.stderr_file.read_text(errors="replace")

    def log(self) -> str:
        try:
            return self.home.log_file.read_text()
        except OSError:
            return ""

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        if self.proc is not None and self.alive():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


DaemonFactory = Callable[..., DaemonProcess]


def nbdesk_cli(
    env: Mapping[str, str], *args: str, stdin: str = "", timeout: float = 400
) -> subprocess.CompletedProcess[str]:
    """`nbdesk ARGS` as a user types it, against the daemon (home) that `env` names."""
    return subprocess.run(
        [sys.executable, "-m", "nbdesk.cli", *args],
        env=dict(env),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def daemon_home() -> Iterator[Path]:
    """A short home path: Unix socket paths are limited to 108 bytes."""
    home_dir = Path(tempfile.mkdtemp(prefix="nbd-"))
    yield home_dir
    shutil.rmtree(home_dir, ignore_errors=True)


@pytest.fixture
def daemon_factory(daemon_home: Path) -> Iterator[DaemonFactory]:
    started: list[DaemonProcess] = []

    def start(**settings: str) -> DaemonProcess:
        process = DaemonProcess(daemon_home, **settings).start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


@pytest.fixture
def daemon(daemon_factory: DaemonFactory) -> DaemonProcess:
    return daemon_factory()


@pytest.fixture(scope="module")
def module_daemon() -> Iterator[DaemonProcess]:
    """One daemon for a whole test module whose tests each use a room of their own."""
    home = Path(tempfile.mkdtemp(prefix="nbd-"))
    process = DaemonProcess(home).start()
    yield process
    process.stop()
    shutil.rmtree(home, ignore_errors=True)


# -- the kernel conformance suite: one set of kernel tests over a local and a remote kernel --


@pytest.fixture(scope="session")
def jupyter_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServerProcess]:
    """A real `jupyter server` on 127.0.0.1 (random port, a token), shared by the suite."""
    server = JupyterServerProcess(tmp_path_factory.mktemp("jupyter-server")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def enterprise_gateway_prerequisite() -> None:
    require(
        EG_PROGRAM.exists(),
        f"Jupyter Enterprise Gateway ({EG_PROGRAM})",
        "run `make eg-venv` (its own venv: its pins conflict with nbdesk's)",
    )


@pytest.fixture(scope="session")
def enterprise_gateway(
    tmp_path_factory: pytest.TempPathFactory, enterprise_gateway_prerequisite: None
) -> Iterator[EnterpriseGatewayProcess]:
    """A real Jupyter Enterprise Gateway on 127.0.0.1 (random port, a token), its kernels
    run locally through the gateway API, shared by the suite."""
    gateway = EnterpriseGatewayProcess(tmp_path_factory.mktemp("enterprise-gateway")).start()
    yield gateway
    gateway.stop()


# which fixture serves each remote side of the conformance suite, and its name there
REMOTE_ENGINES = {"remote": ("jupyter_server", "lab"), "gateway": ("enterprise_gateway", "eg")}


@pytest.fixture(params=["local", "remote", "gateway"])
def kernel_daemon(request: pytest.FixtureRequest, daemon_factory: DaemonFactory) -> DaemonProcess:
    """A daemon whose new notebooks run on a local kernel, on a kernel of a real Jupyter
    server, or on one of a real Enterprise Gateway (added as the user would, and picked
    with change_kernel by `pick_kernel`)."""
    daemon = daemon_factory()
    if request.param in REMOTE_ENGINES:
        fixture, name = REMOTE_ENGINES[request.param]
        server: JupyterServerProcess = request.getfixturevalue(fixture)
        servers.add(daemon.home, name, server.url, server.token)
        daemon.kernel_pick = ("remote", f"{name}/python3")
    return daemon


async def pick_kernel(client: NotebookClient, daemon: DaemonProcess) -> None:
    """Put a new notebook on the kernel the daemon's conformance side asks for."""
    if daemon.kernel_pick is not None:
        kind, name = daemon.kernel_pick
        await client.request("change_kernel", kind=kind, name=name)


# -- browser tests: Debian's chromium through Playwright, against the shell's own server ----

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WEB_DIST = Path(__file__).resolve().parent.parent / "web" / "dist"


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest.fixture
async def shell(daemon: DaemonProcess) -> AsyncIterator[ShellServer]:
    """The shell's server (web/dist and the relay) on the test daemon."""
    server = ShellServer(daemon.home, WEB_DIST)
    await server.start()
    yield server
    await server.close()


# -- prerequisites beyond the venv: a missing one fails the test with how to get it ------

DEBIAN_PACKAGES = "`make test` installs it (scripts/ensure-system-deps.sh; `make deps`)"


def require(present: bool, what: str, how: str = DEBIAN_PACKAGES) -> None:
    if not present:
        pytest.fail(f"{what} is missing: {how}", pytrace=False)


@pytest.fixture(scope="session")
def browser_prerequisites() -> None:
    """Debian's chromium and the web build (browser tests)."""
    require(Path(CHROMIUM).exists(), f"Debian's chromium ({CHROMIUM})")
    require((WEB_DIST / "app.js").exists(), "the web build (web/dist/app.js)", "run `make web`")


@pytest.fixture(scope="session")
def desktop_prerequisites(browser_prerequisites: None) -> None:
    """pywebview with its Qt backend, Xvfb and xdotool (real-window tests)."""
    require(importlib.util.find_spec("webview") is not None, "pywebview", "run `make venv`")
    require(shutil.which("Xvfb") is not None, "Xvfb")
    require(shutil.which("xdotool") is not None, "xdotool")


@pytest.fixture(scope="session")
def r_kernel_prerequisites() -> None:
    """R and IRkernel's kernelspec `ir` (the non-Python kernel tests)."""
    require(shutil.which("R") is not None, "R (Debian's r-base-core)")
    require(
        kernelspecs.find("ir") is not None,
        "IRkernel's kernelspec `ir`",
        "`make deps` installs r-cran-irkernel and registers it (scripts/ensure-r-kernel.sh)",
    )


SmallDisk = Callable[[str], Path]


@pytest.fixture
def small_disk() -> Iterator[SmallDisk]:
    """Mount a small tmpfs of the given size ("2m") and return its folder: a real disk that
    fills up (the tests run as root, so they can mount one). Unmounted at teardown."""
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        where = Path(tempfile.mkdtemp(prefix="nbd-disk-"))
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            pytest.fail(f"cannot mount a tmpfs (run as root): {done.stderr}", pytrace=False)
        mounted.append(where)
        return where

    yield mount
    for where in mounted:
        subprocess.run(["umount", "-l", str(where)], check=False)
        shutil.rmtree(where, ignore_errors=True)


def fill_disk(disk: Path) -> Path:
    """Take every free byte of `disk`; deleting the returned filler file gives them back."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (65536, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
    finally:
        os.close(fd)
    return filler
