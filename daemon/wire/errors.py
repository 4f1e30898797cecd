"""The error hierarchy every layer raises and the protocol reports as `{code, message}`.

Foreign exceptions (Automerge's PanicException, decode errors, jupyter_client errors) are
translated into these at the boundary where they occur.
"""

from __future__ import annotations


class NbdeskError(Exception):
    """Base of every error nbdesk raises on purpose; `code` is what the wire reports."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self)

    def to_wire(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class ProtocolError(NbdeskError):
    code = "protocol_error"


class DocumentError(NbdeskError):
    code = "document_error"


class NotebookFileError(DocumentError):
    """A `.ipynb` file that cannot be read; the message names the file and the problem."""

    code = "bad_notebook"

    def __init__(self, path: object, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class KernelError(NbdeskError):
    code = "kernel_error"


class EnvError(NbdeskError):
    code = "env_error"


class BlobError(NbdeskError):
    code = "blob_error"
