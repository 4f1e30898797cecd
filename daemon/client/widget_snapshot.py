"""Widgets as an exported notebook keeps them: their last state, twice.

`widget_state_metadata` is the standard `application/vnd.jupyter.widget-state+json`
bundle (the one JupyterLab saves in `metadata.widgets`, binary buffers as base64), so
tools that read notebook files get the widgets back. `snapshot_html` draws one widget
view as static HTML from that state (a slider at its value, a checkbox as ticked, an
Output widget's outputs), so an exported page or PDF shows what the user last saw with
no script and no network. Reads widget states only; fetching the blobs behind them is
the caller's (`export.py`).
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Mapping
from typing import Any

from nbdesk.daemon.wire.ids import BLOB_REF

WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
MODEL_PREFIX = "IPY_MODEL_"
MAX_DEPTH = 20  # boxes nest; a cycle of children must not recurse forever

Blobs = Mapping[str, bytes]


def blob_refs(state: Any) -> list[str]:
    """Every blob hash a widget state refers to (its binary buffers)."""
    if isinstance(state, dict):
        if isinstance(state.get(BLOB_REF), str):
            return [state[BLOB_REF]]
        return [h for value in state.values() for h in blob_refs(value)]
    if isinstance(state, list):
        return [h for value in state for h in blob_refs(value)]
    return []


def _split_buffers(state: Any, blobs: Blobs, path: list[Any], out: list[dict[str, Any]]) -> Any:
    """The state with its blob references taken out into `out` as base64 buffers."""
    if isinstance(state, dict):
        blob = state.get(BLOB_REF)
        if isinstance(blob, str):
            data = base64.b64encode(blobs.get(blob, b"")).decode("ascii")
            out.append({"path": path, "encoding": "base64", "data": data})
            return None
        return {k: _split_buffers(v, blobs, [*path, k], out) for k, v in state.items()}
    if isinstance(state, list):
        return [_split_buffers(v, blobs, [*path, i], out) for i, v in enumerate(state)]
    return state


def widget_state_metadata(widgets: list[dict[str, Any]], blobs: Blobs) -> dict[str, Any]:
    """The widget-state bundle of `NotebookClient.get_widgets()`-shaped entries."""
    state: dict[str, Any] = {}
    for widget in widgets:
        buffers: list[dict[str, Any]] = []
        model_state = _split_buffers(widget["state"], blobs, [], buffers)
        entry: dict[str, Any] = {
            "model_name": widget["model_name"],
            "model_module": widget["model_module"],
            "model_module_version": str(widget["state"].get("_model_module_version", "")),
            "state": model_state,
        }
        if buffers:
            entry["buffers"] = buffers
        state[widget["comm_id"]] = entry
    return {"version_major": 2, "version_minor": 0, "state": state}


class SnapshotRenderer:
    """Static HTML for widget views, from the widgets' states and their blobs."""

    def __init__(self, widgets: list[dict[str, Any]], blobs: Blobs) -> None:
        self._widgets = {w["comm_id"]: w for w in widgets}
        self._blobs = blobs

    def view(self, model_id: str) -> str:
        """One view, wrapped so a stylesheet can find it."""
        return f'<div class="nbdesk-widget" data-model-id="{html.escape(model_id)}">{self._model(model_id, 0)}</div>'

    def _model(self, model_id: str, depth: int) -> str:
        widget = self._widgets.get(model_id.removeprefix(MODEL_PREFIX))
        if widget is None or depth > MAX_DEPTH:
            return '<span class="nbdesk-widget-missing">(widget no longer in the kernel)</span>'
        name = str(widget["model_name"]).removesuffix("Model")
        state: dict[str, Any] = widget["state"]
        body = self._body(name, state, widget, depth)
        label = state.get("description")
        if label and name not in ("Button", "Checkbox", "ToggleButton"):
            body = f"<label>{html.escape(str(label))}</label> {body}"
        return f'<div class="nbdesk-widget-{html.escape(name.lower())}">{body}</div>'

    def _body(self, name: str, state: dict[str, Any], widget: dict[str, Any], depth: int) -> str:
        value = state.get("value")
        text = html.escape(_plain(value))
        if name in ("VBox", "HBox", "Box", "GridBox", "Accordion", "Tab", "Stack"):
            children = state.get("children") or []
            direction = "row" if name == "HBox" else "column"
            inner = "".join(self._model(str(c), depth + 1) for c in children)
            return f'<div style="display:flex;flex-direction:{direction};gap:4px">{inner}</div>'
        if name == "Output":
            return "".join(_output_html(o) for o in widget.get("outputs") or [])
        if name in ("HTML", "HTMLMath"):
            return str(value or "")  # the kernel's own HTML, as the live widget shows it
        if name == "Image":
            return self._image(state)
        if name in ("Button", "ToggleButton"):
            return f"<button disabled>{html.escape(str(state.get('description', '')))}</button>"
        if name == "Checkbox":
            ticked = " checked" if value else ""
            label = html.escape(str(state.get("description", "")))
            return f"<label><input type=checkbox disabled{ticked}> {label}</label>"
        if "Slider" in name and not isinstance(value, list):
            lo, hi = html.escape(_plain(state.get("min"))), html.escape(_plain(state.get("max")))
            return f"<input type=range disabled min={lo} max={hi} value={text}> <output>{text}</output>"
        if name in ("Dropdown", "Select", "RadioButtons", "ToggleButtons"):
            labels = state.get("_options_labels") or []
            index = state.get("index")
            chosen = labels[index] if isinstance(index, int) and 0 <= index < len(labels) else ""
            return f"<output>{html.escape(str(chosen))}</output>"
        return f"<output>{text}</output>"

    def _image(self, state: dict[str, Any]) -> str:
        ref = state.get("value")
        data = self._blobs.get(ref.get(BLOB_REF, ""), b"") if isinstance(ref, dict) else b""
        mime = f"image/{state.get('format') or 'png'}"
        encoded = base64.b64encode(data).decode("ascii")
        return f'<img alt="" src="data:{html.escape(mime)};base64,{encoded}">'


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool | int | float | str):
        return str(value)
    return json.dumps(value)


def _output_html(output: Mapping[str, Any]) -> str:
    """An Output widget's output, drawn simply: images, HTML, else its text."""
    if output.get("output_type") == "stream":
        return f"<pre>{html.escape(str(output.get('text', '')))}</pre>"
    data = output.get("data") or {}
    for mime in ("image/png", "image/jpeg"):
        if mime in data:
            return f'<img alt="" src="data:{mime};base64,{str(data[mime]).strip()}">'
    if "text/html" in data:
        return _joined(data["text/html"])
    if output.get("output_type") == "error":
        return f"<pre>{html.escape(str(output.get('ename')))}: {html.escape(str(output.get('evalue')))}</pre>"
    return f"<pre>{html.escape(_joined(data.get('text/plain', '')))}</pre>"


def _joined(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)
