"""The closed sets that travel on the wire or live in the document: kernel status, cell
type, execution outcome, environment kind and phase. Generated into TypeScript with the
messages."""

from __future__ import annotations

from enum import StrEnum


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
