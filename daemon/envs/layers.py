"""A notebook's private layer over a shared dependency environment.

Notebooks listing the same dependencies share one `nbdesk-deps-<hash>` environment, so a
kernel must not install into it. Each notebook's kernel runs instead on its own empty
venv, `envs/nbdesk-layer-<id>` (owner: the notebook, hash: the shared environment's),
whose site-packages holds one `.pth` line that adds the shared site-packages after its
own (`site.addsitedir`, so the shared environment's own `.pth` files apply too). Imports
see both, the layer first; `%pip install` (`uv pip install --python`) writes only into
the layer. Making one is a `uv venv` (a fraction of a second); a kernel restart reuses
it, so what was installed stays until the notebook's dependency set changes.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from nbdesk.daemon.envs.env import Env, Processes, base_python, new_env_path, remove_env
from nbdesk.daemon.home.frozen import uv_binary
from nbdesk.daemon.wire.errors import EnvError

PTH = "nbdesk-shared-environment.pth"


def site_packages(env_path: Path) -> Path:
    """The one `lib/pythonX.Y/site-packages` of a venv."""
    found = sorted(env_path.glob("lib/python*/site-packages"))
    if len(found) != 1:
        raise EnvError(f"{env_path} has no single site-packages folder ({len(found)} found)")
    return found[0]


def pth_line(shared: Path) -> str:
    return f"import site; site.addsitedir({json.dumps(str(shared))})\n"


def adds(layer: Env, shared: Path) -> bool:
    """Whether the layer's `.pth` adds exactly `shared`."""
    try:
        return (site_packages(layer.path) / PTH).read_text() == pth_line(shared)
    except (EnvError, OSError):
        return False


def find_layer(envs: list[Env], base: Env, owner: str) -> Env | None:
    """The layer `owner` already has over `base`, when it is still sound."""
    shared = site_packages(base.path)
    for env in envs:
        mine = env.kind == "layer" and env.owner == owner and env.hash == base.hash
        if mine and env.usable() and adds(env, shared):
            return env
    return None


async def make_layer(root: Path, base: Env, owner: str, processes: Processes) -> Env:
    """A new empty venv for `owner` that sees `base`'s packages; the marker is written
    last, so a layer cut short is never used (and is collected)."""
    path = new_env_path(root, "layer")
    try:
        await processes.run(uv_binary(), "venv", "--quiet", "--python", base_python(), str(path))
        (site_packages(path) / PTH).write_text(pth_line(site_packages(base.path)))
        now = time.time()
        layer = Env(path, "layer", base.hash, owner=owner, created=now, last_used=now)
        if not layer.usable():
            raise EnvError(f"the environment at {path} has no runnable python")
        layer.write_marker()
        return layer
    except BaseException:
        await remove_env(path)
        raise
