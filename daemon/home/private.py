"""Owner-only permissions for everything under the home, whatever the umask.

The home holds every notebook's document (unsaved untitled ones included), every output
and the logs, so on a shared machine no other user may read any of it: directories are
0700 and files 0600. New ones are created that way (a umask only ever removes bits, so
asking for 0700/0600 cannot end up wider); a home made by an older nbdesk, or touched
by another tool, is tightened once by `tighten_home`. Files the user owns outside the
home (their notebooks) are not this module's business.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

DIR_MODE = 0o700
FILE_MODE = 0o600
# Written once a whole home has been walked: later starts only check its top level.
TIGHTENED_MARKER = ".private"


def private_dir(path: Path) -> Path:
    """`path` as an owner-only directory (its missing parents inside the home too)."""
    if not path.is_dir():
        if not path.parent.is_dir():
            private_dir(path.parent)
        with contextlib.suppress(FileExistsError):
            path.mkdir(mode=DIR_MODE)
    _strip_others(path)
    return path


def private_opener(path: str, flags: int) -> int:
    """An `open(..., opener=)` that creates files 0600."""
    return os.open(path, flags, FILE_MODE)


def _strip_others(path: Path | str, *, follow: bool = True) -> None:
    """Remove group and other permissions (never adds any to the owner)."""
    info = os.stat(path) if follow else os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        return
    if info.st_mode & 0o077:
        os.chmod(path, stat.S_IMODE(info.st_mode) & 0o700)


def tighten_home(root: Path) -> None:
    """Make an existing home owner-only: the root and its top level on every start, and
    everything below once (a home can hold whole environments: walking it every start
    would cost seconds). Symbolic links are left alone: they point outside the home."""
    private_dir(root)
    for entry in os.scandir(root):
        _strip_others(entry.path, follow=False)
    marker = root / TIGHTENED_MARKER
    if marker.exists():
        return
    loosened = 0
    for folder, dirs, files in os.walk(root):
        for name in (*dirs, *files):
            path = os.path.join(folder, name)
            try:
                before = os.lstat(path).st_mode
                _strip_others(path, follow=False)
            except OSError as exc:  # a file that went away, or one we do not own
                log.warning("cannot make %s private: %s", path, exc)
                continue
            loosened += bool(before & 0o077 and not stat.S_ISLNK(before))
    if loosened:
        log.info("made %d files and folders under %s private to this user", loosened, root)
    fd = os.open(marker, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    os.close(fd)
