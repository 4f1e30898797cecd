"""Sessions of a notebook's timeline: a gap of half an hour or more between consecutive
changes (in the document's causal order) starts one, whichever way the clock jumped, so
edits merged from a peer that worked hours earlier are their own sittings."""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
from conftest import DaemonProcess
from history_seed import PastSession, seed_past_sessions

from nbdesk.daemon.client.notebook_client import NotebookClient


async def test_past_sessions_merged_in_are_sessions_of_their_own(
    daemon: DaemonProcess, tmp_path: Path
) -> None:
    path = tmp_path / "sittings.ipynb"
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("x = 1")]
    nbformat.write(notebook, path)
    client = await NotebookClient.open(path, home=daemon.home)
    try:
        now = time.time()
        await seed_past_sessions(
            client,
            [
                PastSession(start=now - 3 * 3600, edits=3),
                PastSession(start=now - 2 * 3600, edits=3),
            ],
        )
        client.set_source(client.doc.cell_ids()[0], "x = 2")
        await client.confirm_sync()
        points = await client.history()
    finally:
        await client.close()
    by_session: dict[int, list[float]] = {}
    for point in points:
        by_session.setdefault(point.session, []).append(point.time - now)
    # Opening the file (now), the two seeded sittings (3 h and 2 h ago), this edit (now).
    assert len(by_session) == 4, by_session
    spans = [(min(times), max(times)) for times in by_session.values()]
    assert -3 * 3600 - 5 <= spans[1][0] <= spans[1][1] < -3 * 3600 + 60
    assert -2 * 3600 - 5 <= spans[2][0] <= spans[2][1] < -2 * 3600 + 60
    assert spans[3][0] > -60
    assert sorted(by_session) == [0, 1, 2, 3]
