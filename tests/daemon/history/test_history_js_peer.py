"""A page-like JS peer (the web build's Automerge, joined through a byte pipe as the
desktop relay joins a page) is labelled a window in the history, with its own actor and
its change's own time; a Python client in the same room stays a script."""

from __future__ import annotations

import asyncio
import time

from conftest import DaemonProcess
from js_peer import RelayedJsPeer, ensure_peer_built

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.doc.notebook_doc import NotebookDoc


async def test_a_page_is_a_window_and_a_script_is_a_client(daemon: DaemonProcess) -> None:
    async with NotebookClient.create(daemon.home, launch=False) as client:
        cell = client.add_cell("from_script = 1")
        await client.confirm_sync()
        js = await RelayedJsPeer.start(ensure_peer_built(), NotebookDoc.empty())
        assert isinstance(js, RelayedJsPeer)
        await js.join(daemon.home, client.notebook_id)
        try:
            for _ in range(200):
                if (await js.snapshot())["heads"] == client.doc.heads_hex():
                    break
                await asyncio.sleep(0.02)
            typed_at = time.time()
            reply = await js.request("splice", cell_id=cell, index=0, delete=0, text="# page\n")
            await client.wait_for(lambda doc: doc.contains_heads(reply["heads"]))
            points = await client.history()
        finally:
            await js.leave()
    script, page = points[-2], points[-1]
    assert script.author == "client" and script.author_label == "a script (Python client)"
    assert script.author_id == next(iter(client.doc.author_actors()))
    assert page.author == "window" and page.author_label == "a window"
    assert page.author_id != script.author_id
    assert page.heads == sorted(reply["heads"])
    assert abs(page.time - typed_at) < 5  # the page's own (whole-second) time, read right
