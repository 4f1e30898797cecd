"""A local conda channel (a `file://` directory) with `python`, `ipykernel` and `ipywidgets`.

Conda channels are not reachable from the test machines, so the conda pool is tested
against real conda packages built here: `.tar.bz2` archives with `info/index.json` and
`info/paths.json`, indexed by py-rattler into `repodata.json`. The `python` package's
`bin/python` is a script that runs this interpreter, so a kernel started from the
environment is a real ipykernel. With `venv_python=True` it is instead a link to the base
interpreter beside a `pyvenv.cfg`, so the environment is a Python prefix of its own and
`uv pip install --python` installs into it (not into this interpreter's venv).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import tarfile
import time
from pathlib import Path

from rattler.index import index_fs


def _package(
    channel: Path,
    name: str,
    version: str,
    files: dict[str, tuple[bytes, int]],
    depends: list[str],
    links: dict[str, str] | None = None,
) -> None:
    links = links or {}
    subdir = channel / "noarch"
    subdir.mkdir(parents=True, exist_ok=True)
    index = {
        "name": name,
        "version": version,
        "build": "0",
        "build_number": 0,
        "depends": depends,
        "subdir": "noarch",
        "noarch": "generic",
        "license": "BSD-3-Clause",
        "timestamp": int(time.time() * 1000),
    }
    paths = {
        "paths_version": 1,
        "paths": [
            {
                "_path": path,
                "path_type": "hardlink",
                "sha256": hashlib.sha256(data).hexdigest(),
                "size_in_bytes": len(data),
            }
            for path, (data, _mode) in files.items()
        ]
        + [{"_path": path, "path_type": "softlink"} for path in links],
    }
    with tarfile.open(subdir / f"{name}-{version}-0.tar.bz2", "w:bz2") as tar:

        def add(name: str, data: bytes, mode: int = 0o644) -> None:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), mode, int(time.time())
            tar.addfile(info, io.BytesIO(data))

        add("info/index.json", json.dumps(index).encode())
        add("info/paths.json", json.dumps(paths).encode())
        add("info/files", ("\n".join([*files, *links]) + "\n").encode())
        for path, (data, mode) in files.items():
            add(path, data, mode)
        for path, target in links.items():
            info = tarfile.TarInfo(path)
            info.type, info.linkname, info.mtime = tarfile.SYMTYPE, target, int(time.time())
            tar.addfile(info)


async def make_channel(channel: Path, *, venv_python: bool = False) -> Path:
    """Build and index the channel; returns its directory."""
    if venv_python:
        base = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
        version = ".".join(map(str, sys.version_info[:3]))
        config = f"home = {os.path.dirname(base)}\nversion = {version}\n".encode()
        files = {"pyvenv.cfg": (config, 0o644)}
        _package(channel, "python", "3.11.0", files, [], links={"bin/python": base})
    else:
        python = f'#!/bin/sh\nexec "{sys.executable}" "$@"\n'.encode()
        _package(channel, "python", "3.11.0", {"bin/python": (python, 0o755)}, [])
    for name, version in (("ipykernel", "7.4.0"), ("ipywidgets", "8.1.9")):
        marker = {f"share/nbdesk-test/{name}": (name.encode(), 0o644)}
        _package(channel, name, version, marker, ["python"])
    (channel / "linux-64").mkdir(exist_ok=True)
    await index_fs(channel, write_zst=False, write_shards=False)
    return channel
