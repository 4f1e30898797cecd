"""The error hierarchy every layer raises and the protocol reports as `{code, message}`.

`ErrorCode` is the one closed set of codes the daemon, the shell and the page report; the
TypeScript side gets it generated. Foreign exceptions (Automerge's PanicException, decode
errors, jupyter_client errors) are translated into these at the boundary where they occur.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Every code that travels in an error reply or an `error` control message."""

    # generic
    ERROR = "error"
    INTERNAL = "internal"
    # framing and the envelope
    PROTOCOL_ERROR = "protocol_error"
    BAD_MAGIC = "bad_magic"
    BAD_VERSION = "bad_version"
    BAD_FRAME = "bad_frame"
    FRAME_TOO_LARGE = "frame_too_large"
    TRUNCATED = "truncated"
    BAD_MSGPACK = "bad_msgpack"
    BAD_REQUEST = "bad_request"
    UNKNOWN_OP = "unknown_op"
    BAD_RESPONSE = "bad_response"
    NO_HANDSHAKE = "no_handshake"
    HANDSHAKE_TIMEOUT = "handshake_timeout"
    HANDSHAKE_REFUSED = "handshake_refused"
    BAD_SYNC = "bad_sync"
    BAD_HEADS = "bad_heads"
    REQUIRED_HEADS_TIMEOUT = "required_heads_timeout"
    # the document and its files
    DOCUMENT_ERROR = "document_error"
    BAD_NOTEBOOK = "bad_notebook"
    BAD_SCHEMA = "bad_schema"
    OLD_SCHEMA = "old_schema"
    FUTURE_SCHEMA = "future_schema"
    BAD_SPLICE = "bad_splice"
    DUPLICATE_CELL = "duplicate_cell"
    NO_SUCH_CELL = "no_such_cell"
    NOT_CODE = "not_code"
    UNSUPPORTED_VALUE = "unsupported_value"
    BAD_JSON = "bad_json"
    WRITE_FAILED = "write_failed"
    # rooms
    NO_SUCH_NOTEBOOK = "no_such_notebook"
    NO_PATH = "no_path"
    BAD_PATH = "bad_path"
    PATH_IN_USE = "path_in_use"
    NOT_SYNCED = "not_synced"
    # history and comparisons
    NOT_IN_GIT = "not_in_git"  # a git comparison of a notebook outside a git repository
    NO_SUCH_REVISION = "no_such_revision"  # git knows no such commit (or not the file there)
    UNKNOWN_HEADS = "unknown_heads"  # heads this document's history does not contain
    # blobs
    BLOB_ERROR = "blob_error"
    BAD_HASH = "bad_hash"
    NO_SUCH_BLOB = "no_such_blob"
    BLOB_TOO_LARGE = "blob_too_large"
    BLOB_WRITE = "blob_write"
    BAD_MANIFEST = "bad_manifest"
    NO_BLOB_SERVER = "no_blob_server"
    NO_OUTPUT = "no_output"
    # kernels and environments
    KERNEL_ERROR = "kernel_error"
    KERNEL_START = "kernel_start"
    KERNEL_DEAD = "kernel_dead"
    NO_KERNEL = "no_kernel"
    NO_SUCH_COMM = "no_such_comm"
    ENV_ERROR = "env_error"
    BAD_ENV = "bad_env"
    POOL_OFF = "pool_off"
    BAD_PROJECT = "bad_project"  # a pyproject.toml or environment.yml nbdesk cannot use
    NO_SUCH_KERNELSPEC = "no_such_kernelspec"
    NO_IPYKERNEL = "no_ipykernel"  # a Python environment without ipykernel (consent to add)
    NO_INPUT_PENDING = "no_input_pending"
    BAD_DEPENDENCY = "bad_dependency"  # an option, URL or path where a package belongs
    UNTRUSTED = "untrusted"  # dependencies not approved on this machine
    TRUST_CHANGED = "trust_changed"  # the dependencies changed since the dialog showed them
    # Jupyter servers the user added (`nbdesk server add`)
    BAD_SERVER = "bad_server"  # a name or URL nbdesk will not store
    NO_SUCH_SERVER = "no_such_server"
    SERVER_UNREACHABLE = "server_unreachable"
    SERVER_REFUSED = "server_refused"  # a wrong or missing token
    # the user's preferences (the questions before destructive actions)
    BAD_PREFERENCES = "bad_preferences"  # a preferences file nbdesk cannot read
    # the daemon process and the shell
    ALREADY_RUNNING = "already_running"
    NO_DAEMON = "no_daemon"
    DAEMON_START_FAILED = "daemon_start_failed"
    HAND_OVER_FAILED = "hand_over_failed"
    BAD_CONTROL = "bad_control"
    EXPORT_FAILED = "export_failed"  # nbconvert or the PDF printer could not write it
    # the page's own (a request it could not send, a reply it could not use)
    NOT_CONNECTED = "not_connected"
    DISCONNECTED = "disconnected"
    DAEMON_LOST = "daemon_lost"


class NbdeskError(Exception):
    """Base of every error nbdesk raises on purpose; `code` is what the wire reports."""

    code = ErrorCode.ERROR

    def __init__(self, message: str, *, code: ErrorCode | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self)

    def to_wire(self) -> dict[str, str]:
        return {"code": str(self.code), "message": self.message}


class ProtocolError(NbdeskError):
    code = ErrorCode.PROTOCOL_ERROR


class DocumentError(NbdeskError):
    code = ErrorCode.DOCUMENT_ERROR


class NotebookFileError(DocumentError):
    """A `.ipynb` file that cannot be read; the message names the file and the problem."""

    code = ErrorCode.BAD_NOTEBOOK

    def __init__(self, path: object, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class KernelError(NbdeskError):
    code = ErrorCode.KERNEL_ERROR


class EnvError(NbdeskError):
    code = ErrorCode.ENV_ERROR


class BlobError(NbdeskError):
    code = ErrorCode.BLOB_ERROR


class ServerError(KernelError):
    """A Jupyter server the user added: unknown, unreachable, or refusing its token."""

    code = ErrorCode.SERVER_UNREACHABLE


class MissingKernelspec(KernelError):
    """The notebook (or the user) names a kernelspec that is not installed here."""

    def __init__(self, message: str, name: str) -> None:
        super().__init__(message, code=ErrorCode.NO_SUCH_KERNELSPEC)
        self.kernelspec_name = name


class MissingIpykernel(EnvError):
    """A Python environment without ipykernel: nbdesk installs it only with consent."""

    def __init__(self, python: str) -> None:
        super().__init__(
            f"{python} has no ipykernel, which runs Python notebooks; "
            "agree to install it there, or choose another kernel",
            code=ErrorCode.NO_IPYKERNEL,
        )
        self.python = python
