"""Output areas: IOPub messages in, nbformat 4 output dicts out.

Owns the pure, synchronous rules for one output area (a cell, or an Output widget): how
`stream`, `display_data`, `execute_result`, `error` and `clear_output` change its list of
outputs, how `update_display_data` rewrites outputs by display id, and how stream text
behaves like a terminal (`\\r`, `\\b`, coalescing of consecutive same-name streams).

Does not own: deciding which area a message belongs to (parent msg ids, Output-widget
capture), writing outputs into the notebook document or a widget's state, blobs, or any
I/O. Outputs are the dicts `nbformat.v4.output_from_msg` builds (joined strings), except
that display outputs keep their `transient` so updates can find them; `strip_transient`
gives the form to persist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_CONTROL = re.compile("([\r\x08])")
# The IOPub messages that change an output area (what `apply_iopub` handles).
OUTPUT_MSG_TYPES = frozenset({"stream", "display_data", "execute_result", "error", "clear_output"})


@dataclass
class OutputArea:
    """The live outputs of one cell (or one Output widget) during an execution."""

    outputs: list[dict[str, Any]] = field(default_factory=list)
    clear_pending: bool = False
    """clear_output(wait=True) seen: clear when the next output arrives."""
    version: int = 0
    """Bumps whenever `outputs` changes, so a writer can tell what changed."""

    def __repr__(self) -> str:
        pending = ", clear_pending" if self.clear_pending else ""
        return f"OutputArea(outputs={len(self.outputs)}, version={self.version}{pending})"


def apply_iopub(area: OutputArea, msg_type: str, content: dict[str, Any]) -> bool:
    """Apply one IOPub message; True when the outputs changed.

    Handles stream, display_data, execute_result, error and clear_output (immediate and
    wait=True). Every other type (status, execute_input, update_display_data, comm_*)
    returns False: display updates go through `update_display`, which the caller can
    apply to every area it holds.
    """
    if msg_type == "clear_output":
        if content.get("wait", False):
            area.clear_pending = True
            return False
        area.clear_pending = False
        if not area.outputs:
            return False
        area.outputs.clear()
        return _bump(area)
    if msg_type == "stream":
        return _add_stream(area, content["name"], content["text"])
    output = _output_from_content(msg_type, content)
    if output is None:
        return False
    _take_pending_clear(area)
    area.outputs.append(output)
    return _bump(area)


def update_display(area: OutputArea, display_id: str, content: dict[str, Any]) -> bool:
    """Apply update_display_data: replace data and metadata of every output whose transient
    display_id is `display_id`, keeping its position and transient; True if any matched.

    A pending clear_output(wait=True) stays pending: in Jupyter, updates do not trigger it.
    """
    found = False
    for output in area.outputs:
        if output.get("transient", {}).get("display_id") == display_id:
            output["data"] = dict(content.get("data", {}))
            output["metadata"] = dict(content.get("metadata", {}))
            found = True
    return _bump(area) if found else False


def strip_transient(output: dict[str, Any]) -> dict[str, Any]:
    """A copy of `output` without its `transient` key: the form a notebook file keeps."""
    return {key: value for key, value in output.items() if key != "transient"}


def terminal_text(existing: str, incoming: str) -> str:
    """Append `incoming` to stream text the way a terminal would.

    `\\r` returns to the start of the current line and later characters overwrite; `\\r\\n`
    is a newline; `\\b` moves one character left, never past the line start. Works across
    chunk boundaries: when the cursor is left inside the last line, the text ends in
    `line\\rprefix` (rendering that again puts the cursor after `prefix`), so the next chunk
    continues where the terminal stood. Only the last line of `existing` is ever rewritten.
    """
    keep, addition = _splice(existing, incoming)
    return existing[:keep] + addition


# -- internals -----------------------------------------------------------------------------


def _bump(area: OutputArea) -> bool:
    area.version += 1
    return True


def _take_pending_clear(area: OutputArea) -> None:
    """Clear before adding, in the same apply call, so no writer sees the empty list."""
    if area.clear_pending:
        area.outputs.clear()
        area.clear_pending = False


def _add_stream(area: OutputArea, name: str, text: str) -> bool:
    _take_pending_clear(area)
    last = area.outputs[-1] if area.outputs else None
    if last is None or last.get("output_type") != "stream" or last.get("name") != name:
        area.outputs.append(
            {"output_type": "stream", "name": name, "text": terminal_text("", text)}
        )
        return _bump(area)
    keep, addition = _splice(last["text"], text)
    if keep == len(last["text"]) and not addition:
        return False
    # Pop the text so this frame holds its only reference: CPython then grows the string
    # in place on `+=`, which keeps 100,000 appended lines linear instead of quadratic.
    # Holding a reference elsewhere is still correct, just a copy per chunk.
    current: str = last.pop("text")
    if keep < len(current):
        current = current[:keep]
    current += addition
    last["text"] = current
    return _bump(area)


def _splice(existing: str, incoming: str) -> tuple[int, str]:
    """How long a prefix of `existing` survives and what follows it, after `incoming`."""
    cut = existing.rfind("\n") + 1
    if (
        "\r" not in incoming
        and "\x08" not in incoming
        and existing.find("\r", cut) < 0
        and existing.find("\x08", cut) < 0
    ):
        return len(existing), incoming
    tail = existing[cut:]
    rendered = _render(tail + incoming)
    if rendered.startswith(tail):
        return len(existing), rendered[len(tail) :]
    return cut, rendered


def _render(text: str) -> str:
    """Resolve `\\r` and `\\b` line by line; an unfinished last line keeps its cursor."""
    lines = text.split("\n")
    done = [_overlay(line)[0] if _CONTROL.search(line) else line for line in lines[:-1]]
    content, column = _overlay(lines[-1])
    last = content if column == len(content) else f"{content}\r{content[:column]}"
    return "\n".join([*done, last])


def _overlay(line: str) -> tuple[str, int]:
    """The visible text of one line (no newline in it) and where its cursor ends up."""
    content, column = "", 0
    for token in _CONTROL.split(line):
        if token == "\r":
            column = 0
        elif token == "\x08":
            column = max(column - 1, 0)
        elif token:
            content = content[:column] + token + content[column + len(token) :]
            column += len(token)
    return content, column


def _output_from_content(msg_type: str, content: dict[str, Any]) -> dict[str, Any] | None:
    """A non-stream output dict, or None for a message type that is not an output."""
    if msg_type == "error":
        return {
            "output_type": "error",
            "ename": content["ename"],
            "evalue": content["evalue"],
            "traceback": list(content["traceback"]),
        }
    if msg_type not in ("display_data", "execute_result"):
        return None
    output: dict[str, Any] = {
        "output_type": msg_type,
        "data": dict(content.get("data", {})),
        "metadata": dict(content.get("metadata", {})),
    }
    if msg_type == "execute_result":
        output["execution_count"] = content.get("execution_count")
    if content.get("transient"):
        output["transient"] = dict(content["transient"])
    return output
