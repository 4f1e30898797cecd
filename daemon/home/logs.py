"""Logging to a rotating file under the home (and stderr when asked), for the daemon and the app."""

from __future__ import annotations

import logging
from io import TextIOWrapper
from logging.handlers import RotatingFileHandler
from pathlib import Path

from nbdesk.daemon.home.private import private_dir, private_opener


class PrivateRotatingFileHandler(RotatingFileHandler):
    """Log files are 0600 whatever the umask: they quote paths, code and outputs."""

    def _open(self) -> TextIOWrapper:
        stream = open(  # noqa: SIM115 - the handler owns and closes the stream
            self.baseFilename,
            self.mode,
            encoding=self.encoding,
            errors=self.errors,
            opener=private_opener,
        )
        assert isinstance(stream, TextIOWrapper)  # a text mode: the handler's is "a"
        return stream


def setup_logging(log_file: Path, *, to_stderr: bool) -> None:
    private_dir(log_file.parent)
    handlers: list[logging.Handler] = [
        PrivateRotatingFileHandler(log_file, maxBytes=5 * 1024 * 1024, backupCount=3)
    ]
    if to_stderr:
        handlers.append(logging.StreamHandler())
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
        force=True,
    )
