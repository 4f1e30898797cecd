"""Whether a window can open at all, asked before Qt is loaded.

Qt aborts the process (SIGABRT and a list of platform plugins) when it finds no display,
which tells someone on SSH or in a container nothing. This module answers the question
first, by connecting to the X server or Wayland compositor the environment names, and
words the answer with what to do instead. Starting Qt is not its business.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Mapping

CONNECT_TIMEOUT = 1.0
# Qt platforms that draw without a display server (offscreen, vnc, eglfs, ...) are the
# user's explicit choice; only these two need one.
DISPLAY_PLATFORMS = ("xcb", "wayland")

HEADLESS_HELP = """\
Without a display, nbdesk still runs notebooks:
  nbdesk run NOTEBOOK [-o OUT]         execute a notebook and write its outputs
  nbdesk daemon start|status|stop|gc   manage the daemon that holds notebooks and kernels
  python -c 'import nbdesk'            the Python API: nbdesk.sync.open("a.ipynb")
For windows over SSH, connect with `ssh -X`; in a container, run `xvfb-run nbdesk`."""


def _connects(family: int, address: str | tuple[str, int]) -> bool:
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.settimeout(CONNECT_TIMEOUT)
        try:
            probe.connect(address)
        except OSError:
            return False
    return True


def x_server_answers(display: str) -> bool:
    """`display` is `[host]:N[.S]`; a local one listens on /tmp/.X11-unix/XN (Linux also
    has it as an abstract socket), a remote one (`ssh -X` gives localhost:10) on 6000+N."""
    host, _, rest = display.rpartition(":")
    number = rest.split(".")[0]
    if not number.isdigit():
        return False
    if host in ("", "unix"):
        path = f"/tmp/.X11-unix/X{number}"
        return _connects(socket.AF_UNIX, "\0" + path) or _connects(socket.AF_UNIX, path)
    return _connects(socket.AF_INET, (host, 6000 + int(number)))


def wayland_answers(name: str, env: Mapping[str, str]) -> bool:
    path = name if name.startswith("/") else os.path.join(env.get("XDG_RUNTIME_DIR", ""), name)
    return _connects(socket.AF_UNIX, path)


def display_problem(env: Mapping[str, str] = os.environ) -> str | None:
    """Why no window can open here, or None when one can."""
    if not sys.platform.startswith("linux"):
        return None
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith(DISPLAY_PLATFORMS):
        return None
    wayland, x_display = env.get("WAYLAND_DISPLAY"), env.get("DISPLAY")
    if wayland and wayland_answers(wayland, env):
        return None
    if x_display and x_server_answers(x_display):
        return None
    if x_display or wayland:
        named = " or ".join(
            f"{var}={value}"
            for var, value in (("DISPLAY", x_display), ("WAYLAND_DISPLAY", wayland))
            if value
        )
        return f"cannot connect to the display ({named}), so no window can open"
    return "no display found (DISPLAY and WAYLAND_DISPLAY are not set), so no window can open"
