"""Give a notebook a history spread over past sessions, for tests and benches of the
history view: fixtures/old_changes.mjs (JS Automerge, its own actor) appends edits with
explicit older change times to a copy of a client's replica; the copy is synced into the
client's replica in memory and from there to the daemon, like any peer's edits."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.doc.notebook_doc import NotebookDoc, SyncPeer

SCRIPT = Path(__file__).resolve().parent / "fixtures" / "old_changes.mjs"


@dataclass(frozen=True)
class PastSession:
    """`edits` changes from `start` (unix seconds): in bursts of `burst` (0: one burst),
    `step` seconds apart within a burst, bursts `pause` seconds apart."""

    start: float
    edits: int
    step: float = 1.0
    burst: int = 0
    pause: float = 0.0


def sync_in_memory(source: NotebookDoc, target: NotebookDoc) -> None:
    """Bring `target` up to `source` (both ways until neither has a message)."""
    to_target, to_source = SyncPeer("target"), SyncPeer("source")
    for _ in range(50):
        sent = source.generate_sync_message(to_target)
        if sent is not None:
            target.receive_sync_message(to_source, sent)
        reply = target.generate_sync_message(to_source)
        if reply is not None:
            source.receive_sync_message(to_target, reply)
        if sent is None and reply is None:
            return
    raise RuntimeError("the seeded document did not converge with the client's replica")


async def seed_past_sessions(
    client: NotebookClient, sessions: list[PastSession], timeout: float = 120
) -> int:
    """Append the sessions' edits to the notebook; returns how many changes it has now."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not on PATH: it runs fixtures/old_changes.mjs")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "in.automerge").write_bytes(client.doc.save())
        plan = {
            "sessions": [
                {**vars(session), "burst": session.burst or session.edits} for session in sessions
            ]
        }
        (folder / "plan.json").write_text(json.dumps(plan))
        done = subprocess.run(
            [node, str(SCRIPT), "in.automerge", "out.automerge", "plan.json"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"old_changes.mjs failed: {done.stderr.strip()}")
        seeded = NotebookDoc.load((folder / "out.automerge").read_bytes(), migrate=False)
    sync_in_memory(seeded, client.doc)
    await client.confirm_sync(timeout=timeout)
    changes: int = json.loads(done.stdout)["changes"]
    return changes
