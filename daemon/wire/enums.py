"""The closed sets that travel on the wire or live in the document: kernel status, cell
type, execution outcome, environment kind and phase. Generated into TypeScript with the
messages."""

from __future__ import annotations

from enum import StrEnum


class Question(StrEnum):
    """The questions the page asks before a destructive action; each can be turned off."""

    RESTART = "restart"
    DELETE_CELLS = "delete_cells"


class Theme(StrEnum):
    """The page's colours: the system's light or dark, or one of them always."""

    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


class KernelStatus(StrEnum):
    NOT_STARTED = "not_started"
    STARTING = "starting"
    IDLE = "idle"
    BUSY = "busy"
    DEAD = "dead"
    SHUTDOWN = "shutdown"


class CellType(StrEnum):
    CODE = "code"
    MARKDOWN = "markdown"
    RAW = "raw"


class ExecutionStatus(StrEnum):
    OK = "ok"
    ERROR = "error"
    ABORTED = "aborted"


class EnvKind(StrEnum):
    """uv and conda are the pools (warming is sent to every notebook); deps is one
    notebook's own dependencies."""

    UV = "uv"
    CONDA = "conda"
    DEPS = "deps"


class EnvPhase(StrEnum):
    WARMING = "warming"
    BUILDING = "building"
    READY = "ready"
    FAILED = "failed"


class KernelChoiceKind(StrEnum):
    """What a kernel picker entry starts: an installed kernelspec (any language), a Python
    environment's interpreter, the notebook's project environment, the prewarmed default,
    or a kernelspec of a Jupyter server the user added (named `SERVER/KERNELSPEC`)."""

    KERNELSPEC = "kernelspec"
    PYTHON = "python"
    PROJECT = "project"
    DEFAULT = "default"
    REMOTE = "remote"


class ResolutionSource(StrEnum):
    """Which step of the documented resolution order chose where the kernel runs."""

    CHOSEN = "chosen"  # the user picked it (kernel picker or `--kernel`)
    INLINE_DEPS = "inline_deps"  # the notebook's own dependency list
    PROJECT = "project"  # pyproject.toml, environment.yml or a .venv near the notebook
    KERNELSPEC = "kernelspec"  # metadata.kernelspec.name, installed here
    SERVER = "server"  # metadata.nbdesk.server: a kernel of that Jupyter server
    DEFAULT = "default"  # the prewarmed pool and hot kernels


class KernelPhase(StrEnum):
    """Where getting the room's kernel stands, for the status line."""

    RESOLVING = "resolving"
    BUILDING = "building"
    STARTING = "starting"
    READY = "ready"
    ERROR = "error"
    STOPPED = "stopped"


class TrustStatus(StrEnum):
    """Whether the notebook's dependencies may be installed on this machine."""

    TRUSTED = "trusted"  # signed here, or every package was approved here before
    UNTRUSTED = "untrusted"  # never approved here: nothing is installed until it is
    SIGNATURE_INVALID = "signature_invalid"  # signed, but not for these dependencies
    NO_DEPENDENCIES = "no_dependencies"


class PeerKind(StrEnum):
    """Who a connection is, said in its handshake: a page's window (through the relay)
    or a client (the Python client, the MCP server, scripts)."""

    WINDOW = "window"
    CLIENT = "client"


class HistoryAuthor(StrEnum):
    """Who made a change in a notebook's history: a window, a client, the kernel's
    outputs, the file on disk (import or external edit) or the daemon itself."""

    WINDOW = "window"
    CLIENT = "client"
    KERNEL = "kernel"
    FILE = "file"
    DAEMON = "daemon"


class HistoryMark(StrEnum):
    """What happened at a history point besides its changes."""

    SAVE = "save"
    EXECUTION = "execution"
    EXTERNAL_EDIT = "external_edit"


class CompareKind(StrEnum):
    """One side of a comparison: the document at heads, now, its file on disk, or a git
    revision of that file."""

    HEADS = "heads"
    NOW = "now"
    FILE = "file"
    GIT = "git"


class CellChange(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    MOVED = "moved"
    MODIFIED = "modified"
    UNCHANGED = "unchanged"


class DiffOp(StrEnum):
    """A line of a unified diff: kept, added or removed."""

    SAME = " "
    ADDED = "+"
    REMOVED = "-"
