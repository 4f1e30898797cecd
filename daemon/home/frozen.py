"""How nbdesk runs its own parts as processes, from a source tree or from the frozen app.

The installed app is one PyInstaller executable with subcommands: `nbdesk` (the windows),
`nbdesk daemon serve` (the daemon process) and `nbdesk kernel -f CONNECTION_FILE` (an
ipykernel). A frozen app has no `python -m`, so the daemon it spawns and the kernels that
daemon starts from the bundle's own interpreter are that executable again, found as
`sys.executable`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def daemon_argv() -> list[str]:
    """The command that runs the daemon in the foreground, quietly (the app detaches it)."""
    if is_frozen():
        return [sys.executable, "daemon", "serve", "--quiet"]
    return [sys.executable, "-m", "nbdesk.daemon", "--quiet"]


def uv_binary() -> str:
    """The uv executable: the `uv` package's, or in the frozen app the copy it bundles."""
    if is_frozen():
        return str(Path(getattr(sys, "_MEIPASS", "")) / "bin" / "uv")
    import uv

    return str(uv.find_uv_bin())


def _is_app(python: str) -> bool:
    return is_frozen() and os.path.abspath(python) == os.path.abspath(sys.executable)


def kernel_argv(python: str) -> list[str]:
    """An ipykernel on `python`; the frozen app's own executable runs its `kernel` command."""
    python = os.path.abspath(python)
    if _is_app(python):
        return [python, "kernel", "-f", "{connection_file}"]
    return [python, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"]


def outside_env() -> dict[str, str]:
    """Environment overrides for a child that is not the frozen app (a pool's Python, uv,
    a shell command): the bootloader points LD_LIBRARY_PATH at the bundle's libraries,
    which must not reach another program, or it would load the bundle's libssl and
    friends. Empty when not frozen."""
    if not is_frozen() or "LD_LIBRARY_PATH" not in os.environ:
        return {}
    return {"LD_LIBRARY_PATH": os.environ.get("LD_LIBRARY_PATH_ORIG", "")}


def kernel_env(python: str) -> dict[str, str]:
    """Environment overrides for a kernel on `python` (see `outside_env`)."""
    return {} if _is_app(python) else outside_env()


def run_kernel(argv: list[str]) -> int:
    """`nbdesk kernel -f FILE`: what `python -m ipykernel_launcher -f FILE` does."""
    from ipykernel import kernelapp

    # This process's libraries are loaded; what the user's code runs (`!pip`, subprocess)
    # gets the user's own library path back.
    os.environ.update(outside_env())
    kernelapp.launch_new_instance(argv=argv)
    return 0
