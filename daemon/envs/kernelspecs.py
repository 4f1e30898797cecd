"""The kernelspecs installed on this machine (any language), as jupyter_client finds them:
the user's, the system's and the environments' `share/jupyter/kernels`.

`python3` is what nearly every Python notebook names, whatever Python it ran on; the
resolution order treats it as "a Python 3" (the prewarmed default) unless the user picks
that kernelspec by name. Every other name means that exact kernel.
"""

from __future__ import annotations

import logging
import shutil

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager, NoSuchKernel

from nbdesk.daemon.wire.errors import MissingKernelspec

log = logging.getLogger(__name__)
GENERIC_PYTHON = frozenset({"python3", "python"})


def installed() -> dict[str, KernelSpec]:
    """Every installed kernelspec by name; an unreadable one is logged and left out."""
    manager = KernelSpecManager()
    specs: dict[str, KernelSpec] = {}
    for name in sorted(manager.find_kernel_specs()):
        try:
            specs[name] = manager.get_kernel_spec(name)
        except Exception as exc:  # a broken kernel.json must not hide the others
            log.warning("kernelspec %r is unreadable: %s", name, exc)
    return specs


def program(spec: KernelSpec) -> str:
    """Where a kernelspec's kernel runs, for people: its program's full path."""
    command = spec.argv[0] if spec.argv else ""
    return shutil.which(command) or command or spec.resource_dir


def find(name: str) -> KernelSpec | None:
    try:
        return KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        return None
    except Exception as exc:
        log.warning("kernelspec %r is unreadable: %s", name, exc)
        return None


def require(name: str) -> KernelSpec:
    """The kernelspec `name`, or an error listing the installed ones."""
    spec = find(name)
    if spec is None:
        names = ", ".join(installed()) or "none"
        raise MissingKernelspec(
            f"no kernel named {name!r} is installed here (installed: {names}); "
            "choose one with Change kernel…",
            name,
        )
    return spec
