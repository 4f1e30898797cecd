"""`nbdesk run` against nbclient on nbclient's own test notebooks.

Both run every notebook in the same environment: the kernelspec `python3` of this venv,
the kernel's working directory the notebook's folder, the options nbclient's own test
suite runs that notebook with. Per cell, the execution count and the outputs must be
equal after `normalised`, and the run must fail (nbclient raises, nbdesk exits 1)
exactly when nbclient's does.

The notebooks come from the sdist of the pinned nbclient (`make conformance-notebooks`,
run by `make test`), never from this repository; when they are missing the tests fail.
Every notebook there is compared, or listed in `EXCLUDED` with the reason.

What legitimately differs, and is normalised away (`normalised`):
- widget `model_id`s: a fresh random id for every widget in every kernel;
- ISO timestamps in printed text: Sleep1s.ipynb prints the wall clock;
- in tracebacks, ANSI colour codes (they follow the kernel's terminal settings) and
  ipykernel's per-process cell file names (`/tmp/ipykernel_<pid>/<n>.py`);
- memory addresses (`0x7f…`) in tracebacks and plain-text reprs;
- the order of adjacent stdout and stderr outputs (`streams_in_name_order`).
Not compared: cell metadata (nbclient writes its timing in `metadata.execution`; nbdesk
run records none) and notebook metadata (nbclient adds widget state and language_info).
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conftest import DaemonProcess
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

NBCLIENT_VERSION = importlib.metadata.version("nbclient")
REPO = Path(__file__).resolve().parents[3]
FILES = REPO / "build" / f"nbclient-{NBCLIENT_VERSION}" / "tests" / "files"
KERNEL = "python3"
PARALLEL_ENV = "NBEXECUTE_TEST_PARALLEL_TMPDIR"  # where the Parallel Execute pair meet
# nbclient 0.11.0 now and then stalls on a cell whose shell reply and IOPub idle it already
# has (seen after Output.ipynb's cell 11, about one run in three on this machine) until its
# per-cell timeout, forever without one; then it goes on with the same results. Every cell
# here takes well under a second (Sleep1s one), so this bound only cuts that stall short.
NBCLIENT_STALL_BOUND = 15


@dataclass(frozen=True)
class Case:
    """A notebook and the options nbclient's own test suite runs it with."""

    notebook: str
    allow_errors: bool = False
    timeout: int | None = None  # nbclient: with interrupt_on_timeout, as in its suite
    needs_kernelspec_name: bool = False

    def __str__(self) -> str:
        return self.notebook


CASES = [
    Case("Autokill.ipynb"),  # the kernel kills itself: both runs fail
    Case("Clear Output.ipynb"),
    Case("Disable Stdin.ipynb"),  # input() raises: both runs fail
    Case("Empty Cell.ipynb"),
    Case("Error.ipynb"),  # both runs fail
    Case("Factorials.ipynb"),
    Case("HelloWorld.ipynb"),
    Case("Inline Image.ipynb"),  # reads python.png beside the notebook
    Case("Interrupt.ipynb", allow_errors=True, timeout=3),
    Case("JupyterWidgets.ipynb"),
    Case("Other Comms.ipynb"),
    # Its metadata.kernelspec has no `name`, which the nbformat schema requires: nbclient
    # warns, nbdesk refuses the file. Both run it with `name` added.
    Case("Output.ipynb", needs_kernelspec_name=True),
    Case("SVG.ipynb"),
    Case("Skip Exceptions with Cell Tags.ipynb"),
    Case("Skip Exceptions.ipynb", allow_errors=True),
    Case("Skip Execution with Cell Tag.ipynb"),
    Case("Sleep1s.ipynb"),
    Case("Unicode.ipynb"),
    Case("UnicodePy3.ipynb"),
    Case("update-display-id.ipynb"),
]
PARALLEL = ("Parallel Execute A.ipynb", "Parallel Execute B.ipynb")  # run at the same time
EXCLUDED = {
    "Check History in Memory.ipynb": (
        "asserts one of nbclient's kernel launch options (IPython history kept in memory, "
        "--HistoryManager.hist_file=:memory:), not a result of the notebook; nbdesk's "
        "kernels keep their history as JupyterLab's do"
    ),
}

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
ADDRESS = re.compile(r"0x[0-9a-fA-F]+")
IPYKERNEL_FILE = re.compile(r"/tmp/ipykernel_\d+/\d+\.py")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def normalised(output: dict[str, Any]) -> dict[str, Any]:
    """An output without what legitimately differs between two runs (module docstring)."""
    output = nbformat.from_dict(output)
    if "text" in output:
        output["text"] = TIMESTAMP.sub("<TIME>", ADDRESS.sub("<ADDR>", output["text"]))
    data = output.get("data", {})
    if "text/plain" in data:
        data["text/plain"] = ADDRESS.sub("<ADDR>", data["text/plain"])
    if WIDGET_VIEW in data:
        data[WIDGET_VIEW]["model_id"] = "<MODEL_ID>"
    if "traceback" in output:
        output["traceback"] = [
            IPYKERNEL_FILE.sub("<CELL_FILE>", ADDRESS.sub("<ADDR>", ANSI.sub("", line)))
            for line in output["traceback"]
        ]
    return dict(output)


def streams_in_name_order(outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Adjacent stdout and stderr outputs sorted by stream name: ipykernel flushes the two
    on their own timers, so their relative order is not defined (under nbclient either)."""
    ordered: list[dict[str, Any]] = []
    run: list[dict[str, Any]] = []
    for output in [*outputs, {"output_type": "end"}]:
        if output["output_type"] == "stream":
            run.append(output)
            continue
        ordered += sorted(run, key=lambda stream: stream["name"])
        run = []
        if output["output_type"] != "end":
            ordered.append(output)
    return ordered


def comparable(nb: nbformat.NotebookNode) -> list[tuple[int | None, list[dict[str, Any]]]]:
    return [
        (
            cell.get("execution_count"),
            streams_in_name_order([normalised(o) for o in cell.get("outputs", [])]),
        )
        for cell in nb.cells
    ]


@pytest.fixture(scope="module")
def notebooks() -> Path:
    if not FILES.is_dir():
        pytest.fail(
            f"nbclient {NBCLIENT_VERSION}'s test notebooks are missing ({FILES}): "
            "run `make conformance-notebooks` (`make test` does)",
            pytrace=False,
        )
    return FILES


@pytest.fixture(scope="module")
def meeting_places() -> Iterator[tuple[Path, Path]]:
    """Separate folders where the Parallel Execute pair meet, one for each runner."""
    root = Path(tempfile.mkdtemp(prefix="nbd-meet-"))
    places = root / "nbdesk", root / "nbclient"
    for place in places:
        place.mkdir()
    yield places
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def conformance_daemon(meeting_places: tuple[Path, Path]) -> Iterator[DaemonProcess]:
    """One daemon for the module; its kernels see where the Parallel Execute pair meet."""
    home = Path(tempfile.mkdtemp(prefix="nbd-"))
    process = DaemonProcess(home, **{PARALLEL_ENV: str(meeting_places[0])}).start()
    yield process
    process.stop()
    shutil.rmtree(home, ignore_errors=True)


def prepared(notebooks: Path, tmp_path: Path, case: Case | None = None) -> Path:
    """A copy of the notebooks' folder (the runs write nothing beside the originals)."""
    folder = tmp_path / "files"
    if not folder.exists():
        shutil.copytree(notebooks, folder)
    if case is not None and case.needs_kernelspec_name:
        path = folder / case.notebook
        nb = nbformat.read(path, as_version=4)
        nb.metadata["kernelspec"] = {**nb.metadata["kernelspec"], "name": KERNEL}
        nb.metadata["kernelspec"].setdefault("display_name", "Python 3")
        nbformat.write(nb, path)
    return folder


def run_nbclient(path: Path, case: Case) -> tuple[nbformat.NotebookNode, bool]:
    """nbclient's result (outputs cleared first, as its own suite does) and whether it
    ran to the end."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    client = NotebookClient(
        nb,
        kernel_name=KERNEL,
        resources={"metadata": {"path": str(path.parent)}},
        allow_errors=case.allow_errors,
        timeout=case.timeout or NBCLIENT_STALL_BOUND,
        interrupt_on_timeout=case.timeout is not None,
    )
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError):
        return nb, False
    return nb, True


def nbdesk_run(daemon: DaemonProcess, path: Path, out: Path, case: Case) -> subprocess.Popen[str]:
    args = ["--kernel", KERNEL]
    if case.allow_errors:
        args.append("--allow-errors")
    if case.timeout is not None:
        args += ["--timeout", str(case.timeout)]
    return subprocess.Popen(
        [sys.executable, "-m", "nbdesk.cli", "run", str(path), "-o", str(out), *args],
        env=daemon.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def nbdesk_result(process: subprocess.Popen[str], out: Path) -> tuple[nbformat.NotebookNode, bool]:
    _, stderr = process.communicate(timeout=180)
    assert process.returncode in (0, 1), stderr
    assert out.exists(), stderr
    return nbformat.read(out, as_version=4), process.returncode == 0


def assert_same(
    name: str,
    theirs: tuple[nbformat.NotebookNode, bool],
    ours: tuple[nbformat.NotebookNode, bool],
) -> None:
    (nbclient_nb, nbclient_ok), (nbdesk_nb, nbdesk_ok) = theirs, ours
    assert nbdesk_ok == nbclient_ok, f"{name}: nbclient ran to the end: {nbclient_ok}"
    expected, actual = comparable(nbclient_nb), comparable(nbdesk_nb)
    assert len(actual) == len(expected), f"{name}: the cells differ"
    for index, (want, got) in enumerate(zip(expected, actual, strict=True), start=1):
        assert got == want, f"{name}, cell {index}: (execution_count, outputs) differ"


def test_every_nbclient_notebook_is_compared_or_excluded(notebooks: Path) -> None:
    found = {path.name for path in notebooks.glob("*.ipynb")}
    accounted = {case.notebook for case in CASES} | set(PARALLEL) | set(EXCLUDED)
    assert found == accounted, (
        f"not compared: {sorted(found - accounted)}; gone: {sorted(accounted - found)}"
    )


@pytest.mark.parametrize("case", CASES, ids=str)
def test_nbdesk_run_matches_nbclient(
    case: Case, notebooks: Path, conformance_daemon: DaemonProcess, tmp_path: Path
) -> None:
    folder = prepared(notebooks, tmp_path, case)
    process = nbdesk_run(conformance_daemon, folder / case.notebook, tmp_path / "out.ipynb", case)
    ours = nbdesk_result(process, tmp_path / "out.ipynb")
    theirs = run_nbclient(folder / case.notebook, case)
    assert_same(case.notebook, theirs, ours)


def test_parallel_notebooks_run_at_the_same_time_as_under_nbclient(
    notebooks: Path,
    conformance_daemon: DaemonProcess,
    meeting_places: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each of the pair waits for a file the other writes: run one after the other, both
    fail. nbclient runs them in two threads (as its suite does), nbdesk in two processes."""
    folder = prepared(notebooks, tmp_path)
    cases = [Case(name) for name in PARALLEL]
    outs = [tmp_path / f"out-{index}.ipynb" for index in range(len(cases))]
    processes = [
        nbdesk_run(conformance_daemon, folder / case.notebook, out, case)
        for case, out in zip(cases, outs, strict=True)
    ]
    ours = [nbdesk_result(process, out) for process, out in zip(processes, outs, strict=True)]
    assert sorted(os.listdir(meeting_places[0])) == ["test_file_A.txt", "test_file_B.txt"]

    monkeypatch.setenv(PARALLEL_ENV, str(meeting_places[1]))
    theirs: dict[str, tuple[nbformat.NotebookNode, bool]] = {}

    def run(case: Case) -> None:
        theirs[case.notebook] = run_nbclient(folder / case.notebook, case)

    threads = [threading.Thread(target=run, args=(case,)) for case in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for case, result in zip(cases, ours, strict=True):
        assert_same(case.notebook, theirs[case.notebook], result)
