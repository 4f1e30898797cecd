"""Where the home's sockets live: `run/` inside the home, or a short folder of their own
when the home's path is too long for a Unix socket address.

A socket's path must fit in 107 bytes (`sun_path`); the daemon's socket, the app's and
every kernel's IPC sockets live in the run folder, so a deep home (a long user name, a
synced folder, a test's temp path) would make every bind fail. Such a home gets
`$XDG_RUNTIME_DIR/nbdesk-<hash>` (or `/tmp/nbdesk-<uid>-<hash>`), named from the home's
path so that the daemon, the app and clients all find the same one. It is owner-only,
and one that exists but is not a private folder of this user is refused rather than
trusted: a socket there could be anyone's.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from pathlib import Path

from nbdesk.daemon.home.private import DIR_MODE
from nbdesk.daemon.wire.errors import ErrorCode, NbdeskError

SOCKET_PATH_MAX = 107
# The longest name nbdesk puts under the run folder: a kernel's IPC socket,
# `kernels/k<pid>-<kernel number>-<port>`, with room to spare.
LONGEST_SOCKET_NAME = len("/kernels/k4194304-9999999-999999")


class RuntimeDirError(NbdeskError):
    code = ErrorCode.BAD_PATH


def fits(run_dir: Path) -> bool:
    return len(os.fsencode(run_dir)) + LONGEST_SOCKET_NAME <= SOCKET_PATH_MAX


def run_dir_for(root: Path) -> Path:
    """The home's run folder: `root/run` whenever its sockets fit."""
    inside = root / "run"
    if fits(inside):
        return inside
    digest = hashlib.sha256(os.fsencode(root)).hexdigest()[:16]
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime).is_dir() and fits(Path(runtime) / f"nbdesk-{digest}"):
        return Path(runtime) / f"nbdesk-{digest}"
    return Path(tempfile.gettempdir()) / f"nbdesk-{os.getuid()}-{digest}"


def check_private(run_dir: Path) -> None:
    """Refuse a run folder that is a link, not a folder, or another user's."""
    try:
        info = os.lstat(run_dir)
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise RuntimeDirError(
            f"{run_dir}, where this home keeps its sockets, is not a folder of this user; "
            "remove it, or set NBDESK_HOME to a shorter path"
        )


def prepare_run_dir(run_dir: Path) -> None:
    """Create (or check) the run folder, 0700."""
    check_private(run_dir)
    run_dir.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    check_private(run_dir)  # it may have been made by someone else in between
    os.chmod(run_dir, DIR_MODE)
