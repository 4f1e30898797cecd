"""R through the daemon: a real daemon running Debian's IRkernel (kernelspec `ir`), driven
by Python clients. Execute, streams, rich outputs, errors, interrupt, restart, completion
and stdin, as a Python kernel gets them; started both ways a notebook gets R (the
kernelspec its metadata names, and the user's pick)."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conftest import DaemonProcess
from test_resolution import location

from nbdesk.daemon.client.notebook_client import NotebookClient

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("r_kernel_prerequisites")]

R_SPEC = {"name": "ir", "display_name": "R", "language": "R"}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def r(daemon: DaemonProcess) -> AsyncIterator[NotebookClient]:
    """A new notebook on the test daemon, its kernel IRkernel."""
    async with NotebookClient.create(daemon.home, launch=False) as client:
        launched = await client.launch_kernel(kernelspec="ir")
        assert (launched.display_name, launched.language) == ("R", "R")
        await location(client, "ready")  # so a later wait for "ready" sees a later one
        yield client


def plain(output: dict[str, Any]) -> str:
    return str(output.get("text") or output.get("data", {}).get("text/plain", ""))


async def test_a_notebook_naming_ir_runs_r_in_its_folder(
    daemon: DaemonProcess, tmp_path: Path
) -> None:
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": R_SPEC})
    nb.cells.append(nbformat.v4.new_code_cell("1+1"))
    path = tmp_path / "analysis" / "r.ipynb"
    path.parent.mkdir()
    nbformat.write(nb, path)
    async with NotebookClient.open(path, daemon.home) as client:
        launched = await client.launch_kernel()
        assert (launched.display_name, launched.language, launched.python) == ("R", "R", None)
        ready = await location(client, "ready")
        assert (ready["source"], ready["kernelspec"], ready["language"]) == (
            "kernelspec",
            "ir",
            "R",
        )
        cell = client.doc.cells()[0].id
        result = await client.execute(cell, 60)
        assert result.status == "ok" and result.execution_count == 1
        assert [(o.output_type, plain(o)) for o in result.outputs] == [("display_data", "[1] 2")]
        where = await client.run("cat(getwd())", 60)
        assert where.text == str(path.parent)


async def test_cat_goes_to_stdout_and_message_to_stderr(r: NotebookClient) -> None:
    result = await r.run("cat('out\\n'); message('to stderr'); cat('more\\n')", 60)
    assert result.status == "ok"
    streams = [(o.name, o.text) for o in result.outputs if o.output_type == "stream"]
    assert [name for name, _ in streams] == ["stdout", "stderr", "stdout"]
    assert streams[0][1] == "out\n" and streams[2][1] == "more\n"
    assert streams[1][1].startswith("to stderr\n")


async def test_a_data_frame_is_html_and_text_and_a_plot_is_a_png(r: NotebookClient) -> None:
    frame = await r.run("data.frame(n = 1:3, name = c('ada', 'bob', 'cy'))", 60)
    (table,) = frame.outputs
    assert "<table" in table.data["text/html"] and "<td>bob</td>" in table.data["text/html"]
    assert "bob" in table.data["text/plain"] and "name" in table.data["text/plain"]
    plot = await r.run("plot(1:10, main = 'squares')", 60)
    (image,) = plot.outputs
    assert image.output_type == "display_data"
    assert base64.b64decode(image.data["image/png"]).startswith(PNG_MAGIC)


async def test_an_error_stops_the_queue(r: NotebookClient) -> None:
    with r.edit() as doc:
        cells = [doc.insert_cell(i, source=s) for i, s in enumerate(["x <- 1", "stop('boom')"])]
        after = doc.insert_cell(2, source="x <- 2")
    reply = await r.request("run_all")
    statuses = [(await r.wait_done(e, 60))["status"] for e in reply["execution_ids"]]
    assert statuses == ["ok", "error", "aborted"]
    (error,) = await r.outputs(cells[1])
    assert error["output_type"] == "error" and "boom" in error["evalue"]
    assert any("boom" in line for line in error["traceback"])
    assert r.doc.cell(after).execution_count is None
    assert (await r.run("cat(x)", 60)).text == "1"  # the aborted cell never ran


async def test_interrupt_stops_a_sleeping_cell_and_clears_the_queue(r: NotebookClient) -> None:
    sleepy = r.add_cell("cat('sleeping\\n'); Sys.sleep(30); cat('woke\\n')")
    queued = r.add_cell("cat('never\\n')")
    first = (await r.request("execute_cell", cell_id=sleepy))["execution_id"]
    second = (await r.request("execute_cell", cell_id=queued))["execution_id"]
    started = await r.next_broadcast("execution_started", timeout=30)
    assert started["execution_id"] == first
    await r.wait_for(lambda doc: len(doc.outputs(sleepy)) >= 1, timeout=30)  # asleep
    interrupted_at = time.monotonic()
    await r.interrupt()
    done = await r.wait_done(first, 20)
    assert time.monotonic() - interrupted_at < 10
    assert done["status"] == "error"
    assert (await r.wait_done(second, 10))["status"] == "aborted"
    assert "woke" not in "".join(plain(o) for o in await r.outputs(sleepy))
    assert (await r.execute(queued, 60)).text == "never\n"  # the kernel lives on


async def test_restart_forgets_variables_and_stays_on_r(r: NotebookClient) -> None:
    assert (await r.run("x <- 41; cat(exists('x'))", 60)).text == "TRUE"
    await r.restart()
    ready = await location(r, "ready")
    assert (ready["kernelspec"], ready["language"]) == ("ir", "R")
    after = await r.run("cat(exists('x'), R.version$language)", 60)
    assert after.text == "FALSE R"
    assert after.execution_count == 1


async def test_completion_of_pri_offers_print(r: NotebookClient) -> None:
    completion = await r.complete("x <- pri")
    assert "print" in completion.matches
    assert (completion.cursor_start, completion.cursor_end) == (5, 8)


async def test_readline_is_answered_through_input_reply(r: NotebookClient) -> None:
    cell = r.add_cell("name <- readline('Name? '); cat('hello', name)")
    queued = await r.request("execute_cell", cell_id=cell)
    asked = await r.next_broadcast("input_request", timeout=60)
    assert (asked["prompt"], asked["password"]) == ("Name? ", False)
    assert asked["execution_id"] == queued["execution_id"] and asked["cell_id"] == cell
    await r.answer_input(asked["execution_id"], "Ada")
    answered = await r.next_broadcast("input_answered", timeout=10)
    assert answered["execution_id"] == asked["execution_id"]
    done = await r.wait_done(queued["execution_id"], 60)
    assert done["status"] == "ok"
    assert "hello Ada" in "".join(plain(o) for o in await r.outputs(cell))


async def test_r_picked_for_a_python_notebook_is_written_to_it(daemon: DaemonProcess) -> None:
    async with NotebookClient.create(daemon.home) as client:
        assert (await client.run("print(6 * 7)", 60)).text == "42\n"
        ir = next(c for c in await client.list_kernels() if c.name == "ir")
        assert (ir.kind, ir.display_name, ir.language) == ("kernelspec", "R", "R")
        await client.change_kernel("kernelspec", "ir")
        assert json.loads(await client.get_raw_metadata("kernelspec") or "{}") == R_SPEC
        language_info = json.loads(await client.get_raw_metadata("language_info") or "{}")
        assert language_info["name"] == "R" and language_info["version"].startswith("4.")
        assert (await client.run("cat(6 * 7)", 60)).text == "42"


async def test_readline_without_stdin_reads_an_empty_line(r: NotebookClient) -> None:
    """IRkernel asks on stdin even when told not to (allow_stdin false, as under `nbdesk
    run`): the daemon answers with an empty line, as R's readline() reads outside an
    interactive session, instead of waiting forever."""
    cell = r.add_cell("name <- readline('Name? '); cat('[', name, ']', sep = '')")
    result = await r.execute(cell, 30, allow_stdin=False)
    assert result.status == "ok" and result.text == "[]"


async def blocked_in_poll(pid: int, timeout: float = 10) -> None:
    """Until the process waits in poll(): IRkernel's readline() reads its answer there,
    and only a SIGINT that finds it there stops it (one that lands between the prompt
    going out and the poll is lost: R looks at pending interrupts only now and then)."""
    deadline = time.monotonic() + timeout
    while "poll" not in Path(f"/proc/{pid}/wchan").read_text():
        assert time.monotonic() < deadline, f"R (pid {pid}) never waited for its input"
        await asyncio.sleep(0.01)


async def test_an_interrupted_readline_drops_the_prompt(r: NotebookClient) -> None:
    pid = int((await r.run("cat(Sys.getpid())", 60)).text)
    cell = r.add_cell("readline('Waiting: ')")
    queued = await r.request("execute_cell", cell_id=cell)
    await r.next_broadcast("input_request", timeout=60)
    await blocked_in_poll(pid)
    await r.interrupt()
    answered = await r.next_broadcast("input_answered", timeout=10)
    assert answered["execution_id"] == queued["execution_id"]
    done = await r.wait_done(queued["execution_id"], 20)
    assert done["status"] == "error"
    assert (await r.run("cat('still here')", 60)).text == "still here"
