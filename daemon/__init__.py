"""The nbdesk daemon: notebook documents, the wire protocol, kernels and the Python client."""

__version__ = "0.1.0"
