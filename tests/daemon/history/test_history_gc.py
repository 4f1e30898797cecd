"""Blob collection keeps the outputs an old point of the history shows, for the user's
retention, and collects them after it; the blob server then says the output was
collected."""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp
import nbformat
from conftest import DaemonFactory

from nbdesk.daemon.client.control_client import ControlClient
from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.doc.store import DocStore
from nbdesk.daemon.home import preferences
from nbdesk.daemon.home.config import Home

DAY = 86400.0


def notebook_with_output(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    out = nbformat.v4.new_output("stream", name="stdout", text="an output worth keeping\n")
    nb.cells = [nbformat.v4.new_code_cell("print('an output worth keeping')", outputs=[out])]
    path.write_text(nbformat.writes(nb))


async def collect(home: Home) -> None:
    async with await ControlClient.connect(home) as control:
        await control.collect_garbage(min_age=0.0)


def age_history(home: Home, notebook_id: str, days: float) -> None:
    """Move every recorded time of the notebook's history `days` into the past."""
    store = DocStore(home.docs)
    log = store.load_history(notebook_id)
    assert log is not None and log.times
    log.times = {h: t - days * DAY for h, t in log.times.items()}
    store.save_history(notebook_id, log)


async def test_an_output_only_the_history_shows_is_kept_within_the_retention_then_collected(
    daemon_factory: DaemonFactory, tmp_path: Path
) -> None:
    path = tmp_path / "kept.ipynb"
    notebook_with_output(path)
    daemon = daemon_factory()
    async with NotebookClient.open(path, daemon.home) as client:
        notebook_id = client.notebook_id
        (cell_id,) = client.doc.cell_ids()
        (manifest,) = client.doc.outputs(cell_id)
        point = (await client.history())[-1]
        await client.clear_outputs()
        await client.wait_for(lambda doc: not doc.outputs(cell_id))
        await client.confirm_sync()
        await collect(daemon.home)
        old = await client.notebook_at(point.heads)  # fetched from the blob server
        assert old.cells[0].outputs[0].text == "an output worth keeping\n"
    daemon.stop()
    preferences.set_history_retention_days(daemon.home, 7)
    age_history(daemon.home, notebook_id, 8)  # the point is now older than the retention
    daemon = daemon_factory()
    await collect(daemon.home)
    async with NotebookClient.open(path, daemon.home) as client:
        blob_url = client.blob_url
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{blob_url}/blob/{manifest}") as response,
        ):
            assert response.status == 404
            assert "collected" in await response.text()
        history = await client.request("history")
        assert history["retention_days"] == 7
    stored = json.loads(preferences.preferences_file(daemon.home).read_text())
    assert stored["history_retention_days"] == 7
