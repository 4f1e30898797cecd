"""Widgets live in the document: kernel comm traffic into `comms`, frontend messages out.

`comm_open` writes `comms[id]` (state as JSON, binary buffers as blob references at
their paths), `update`/`echo_update` merge into the state, `comm_close` removes it, and
only `custom` messages are broadcast as events. Output widgets capture the outputs whose
parent msg_id equals the widget's `msg_id`: they go to `comms[id].outputs` as manifests
and are sent back to the kernel as an `outputs` update (without it a later
`append_stdout` would wipe them). Frontend updates to one comm are coalesced: while one
is unanswered (no `idle` yet) later ones merge into the next, so a slider drag never
floods the kernel. The kernel session is the caller's; the document writes are made
here, through the room's `KernelHost`.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nbdesk.daemon.kernels.host import KernelHost
from nbdesk.daemon.kernels.outputs import (
    OUTPUT_MSG_TYPES,
    OutputArea,
    apply_iopub,
    strip_transient,
    update_display,
)
from nbdesk.daemon.wire.broadcasts import CommCustom
from nbdesk.daemon.wire.enums import HistoryAuthor
from nbdesk.daemon.wire.ids import BLOB_REF

log = logging.getLogger(__name__)
WIDGET_TARGET = "jupyter.widget"
OUTPUT_MODEL = "OutputModel"
# Kept out of the document's state: `msg_id` flips twice per capture (routing data) and
# an Output widget's `outputs` live in `comms[id].outputs` as manifests.
TRANSIENT_KEYS = ("msg_id", "outputs")

SendToKernel = Callable[[str, dict[str, Any], list[bytes]], str]


class OutputCaptureRouter:
    """Which Output widget captures outputs of which parent msg_id. Routing only, no state.

    Captures nest (`with outer:` inside `with inner:`), so each msg_id has a stack: the
    innermost widget captures, and when it lets go the one around it captures again.
    """

    def __init__(self) -> None:
        self._widgets_by_msg: dict[str, list[str]] = {}

    def set_capture(self, comm_id: str, msg_id: str) -> None:
        self.forget(comm_id)
        if msg_id:
            self._widgets_by_msg.setdefault(msg_id, []).append(comm_id)

    def forget(self, comm_id: str) -> None:
        for msg_id, stack in list(self._widgets_by_msg.items()):
            stack[:] = [owner for owner in stack if owner != comm_id]
            if not stack:
                del self._widgets_by_msg[msg_id]

    def target(self, parent_msg_id: str) -> str | None:
        stack = self._widgets_by_msg.get(parent_msg_id)
        return stack[-1] if stack else None

    def clear(self) -> None:
        self._widgets_by_msg.clear()


def with_buffer_refs(
    state: dict[str, Any],
    buffer_paths: list[list[Any]],
    buffers: list[bytes],
    put: Callable[[bytes], str],
) -> dict[str, Any]:
    """The state with each binary buffer stored and replaced by `{"$blob": hash, "size"}`."""
    state = copy.deepcopy(state)
    for path, buffer in zip(buffer_paths, buffers, strict=False):
        if not path:
            continue
        ref = {BLOB_REF: put(bytes(buffer)), "size": len(buffer)}
        holder: Any = state
        for key in path[:-1]:
            holder = holder[key]
        if isinstance(holder, list):
            holder[path[-1]] = ref
        else:
            holder[str(path[-1])] = ref
    return state


@dataclass
class PendingUpdates:
    """Frontend updates to one comm: one in flight, the rest merged into the next send."""

    in_flight: str | None = None
    state: dict[str, Any] = field(default_factory=dict)
    buffers: dict[tuple[Any, ...], bytes] = field(default_factory=dict)
    merged: int = 0


class WidgetComms:
    def __init__(self, host: KernelHost, send_to_kernel: Callable[[], SendToKernel | None]) -> None:
        self.host = host
        self.capture = OutputCaptureRouter()
        self.areas: dict[str, OutputArea] = {}
        self._send_to_kernel = send_to_kernel
        self._pending: dict[str, PendingUpdates] = {}
        self.sent_to_kernel = 0

    def __repr__(self) -> str:
        return (
            f"WidgetComms({self.host.id}, outputs={len(self.areas)}, pending={len(self._pending)})"
        )

    # -- kernel to document -------------------------------------------------------------

    def handle_iopub(self, msg: dict[str, Any]) -> bool:
        """Apply a comm message or a captured output; True when the message was consumed."""
        msg_type = msg["msg_type"]
        content = msg["content"]
        if msg_type == "comm_open":
            self._open(content, msg.get("buffers") or [])
            return True
        if msg_type == "comm_msg":
            self._message(content, msg.get("buffers") or [])
            return True
        if msg_type == "comm_close":
            self._close(content.get("comm_id", ""))
            return True
        if msg_type in OUTPUT_MSG_TYPES:
            widget = self.capture.target(msg["parent_header"].get("msg_id", ""))
            if widget is not None and widget in self.areas:
                if apply_iopub(self.areas[widget], msg_type, content):
                    self._write_outputs(widget, sync_back=True)
                return True
        return False

    def _put_blob(self, data: bytes) -> str:
        return self.host.outputs.put_blob(data, "application/octet-stream")

    def _open(self, content: dict[str, Any], buffers: list[bytes]) -> None:
        if content.get("target_name") != WIDGET_TARGET:
            return
        comm_id = content["comm_id"]
        data = content.get("data") or {}
        state = with_buffer_refs(
            data.get("state") or {}, data.get("buffer_paths") or [], buffers, self._put_blob
        )
        model_name = str(state.get("_model_name", ""))
        with self.host.doc.change(author=HistoryAuthor.KERNEL):
            self.host.doc.put_comm(
                comm_id,
                WIDGET_TARGET,
                str(state.get("_model_module", "")),
                model_name,
                json.dumps(_document_state(state)),
            )
        if model_name == OUTPUT_MODEL:
            self.areas[comm_id] = OutputArea(outputs=list(state.get("outputs") or []))
            self.capture.set_capture(comm_id, str(state.get("msg_id") or ""))
            self._write_outputs(comm_id, sync_back=False)
        self.host.local_change()

    def _message(self, content: dict[str, Any], buffers: list[bytes]) -> None:
        comm_id = content.get("comm_id", "")
        data = content.get("data") or {}
        method = data.get("method")
        if method == "custom":
            refs = [{BLOB_REF: self._put_blob(bytes(b)), "size": len(b)} for b in buffers]
            self.host.broadcast(
                CommCustom(comm_id=comm_id, content=data.get("content") or {}, buffers=refs)
            )
            return
        if method not in ("update", "echo_update") or not self.host.doc.has_comm(comm_id):
            return
        delta = with_buffer_refs(
            data.get("state") or {}, data.get("buffer_paths") or [], buffers, self._put_blob
        )
        if comm_id in self.areas:
            if "msg_id" in delta:
                self.capture.set_capture(comm_id, str(delta["msg_id"] or ""))
            if "outputs" in delta and method == "update":
                self.areas[comm_id].outputs = list(delta["outputs"])
                self._write_outputs(comm_id, sync_back=False)
        current = self.host.doc.get_comm(comm_id).state
        merged = {**current, **_document_state(delta)}
        if merged != current:
            with self.host.doc.change(author=HistoryAuthor.KERNEL):
                self.host.doc.update_comm_state(comm_id, json.dumps(merged))
            self.host.local_change()

    def _close(self, comm_id: str) -> None:
        self.capture.forget(comm_id)
        self.areas.pop(comm_id, None)
        self._pending.pop(comm_id, None)
        if self.host.doc.has_comm(comm_id):
            with self.host.doc.change(author=HistoryAuthor.KERNEL):
                self.host.doc.remove_comm(comm_id)
            self.host.local_change()

    def _write_outputs(self, comm_id: str, *, sync_back: bool) -> None:
        area = self.areas[comm_id]
        manifests = tuple(self.host.outputs.store_output(output) for output in area.outputs)
        if self.host.doc.has_comm(comm_id) and self.host.doc.get_comm(comm_id).outputs != manifests:
            with self.host.doc.change(author=HistoryAuthor.KERNEL):
                self.host.doc.set_comm_outputs(comm_id, manifests)
            self.host.local_change()
        if sync_back:
            outputs = [strip_transient(output) for output in area.outputs]
            self._send_now(
                comm_id, {"method": "update", "state": {"outputs": outputs}, "buffer_paths": []}, []
            )

    def update_displays(self, display_id: str, content: dict[str, Any]) -> None:
        """update_display_data reaches displays inside Output widgets too."""
        for comm_id, area in self.areas.items():
            if update_display(area, display_id, content):
                self._write_outputs(comm_id, sync_back=True)

    def reset(self) -> None:
        """The kernel went away: its comms are gone without comm_close."""
        self.capture.clear()
        self.areas.clear()
        self._pending.clear()

    # -- frontend to kernel -------------------------------------------------------------

    def send(self, comm_id: str, data: dict[str, Any], buffers: list[bytes]) -> None:
        """Forward a frontend message; updates wait while one to this comm is unanswered."""
        if data.get("method") != "update":
            self._send_now(comm_id, data, buffers)
            return
        pending = self._pending.setdefault(comm_id, PendingUpdates())
        for path, buffer in zip(data.get("buffer_paths") or [], buffers, strict=False):
            pending.buffers[tuple(path)] = buffer
        pending.state.update(data.get("state") or {})
        pending.merged += 1
        if pending.in_flight is None:
            self._release(comm_id, pending)

    def on_idle(self, parent_msg_id: str) -> None:
        """The kernel finished a message: release the next update to that comm, if any."""
        for comm_id, pending in list(self._pending.items()):
            if pending.in_flight == parent_msg_id:
                pending.in_flight = None
                if pending.merged:
                    self._release(comm_id, pending)
                else:
                    del self._pending[comm_id]

    def _release(self, comm_id: str, pending: PendingUpdates) -> None:
        paths = [list(path) for path in pending.buffers]
        data = {"method": "update", "state": pending.state, "buffer_paths": paths}
        msg_id = self._send_now(comm_id, data, list(pending.buffers.values()))
        pending.in_flight, pending.state, pending.buffers, pending.merged = msg_id, {}, {}, 0

    def _send_now(self, comm_id: str, data: dict[str, Any], buffers: list[bytes]) -> str | None:
        send = self._send_to_kernel()
        if send is None:
            log.info("dropping a message to comm %s: no kernel", comm_id)
            return None
        self.sent_to_kernel += 1
        return send(comm_id, data, buffers)


def _document_state(state: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in state.items() if key not in TRANSIENT_KEYS}
