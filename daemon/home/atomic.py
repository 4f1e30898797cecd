"""Durable file replacement: write a temp file, fsync it, rename it over, fsync the directory.

A crash at any point leaves either the old file or the new one, never a torn mix.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import stat
from pathlib import Path

from nbdesk.daemon.home.private import FILE_MODE
from nbdesk.daemon.wire.errors import ErrorCode, NbdeskError


class WriteError(NbdeskError):
    code = ErrorCode.WRITE_FAILED


_tmp_counter = itertools.count()


def atomic_write(path: Path, data: bytes, *, private: bool = False) -> None:
    """Concurrent writers of one path each use their own temp file; the last rename wins.

    `private` files (the home's) are 0600; any other file keeps the permissions it had,
    and a new one gets what the umask allows, as if the user had saved it themselves.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{next(_tmp_counter)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE if private else 0o666)
        try:
            if not private:
                with contextlib.suppress(FileNotFoundError):
                    os.fchmod(fd, stat.S_IMODE(os.stat(path).st_mode))
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise WriteError(f"cannot write {path}: {exc.strerror or exc}") from exc
