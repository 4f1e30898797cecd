"""The Jupyter servers a user added (`nbdesk server add`): name, URL and token, per user.

They live in one JSON file in the nbdesk home, mode 0600, because it holds tokens; a
notebook names a server only by its name, so a shared file carries no URL or token.
HTTPS is checked against the system's certificates; plain HTTP is accepted only to a
loopback address unless the user said `insecure` (a token sent in clear over a network
is a token given away). This module stores and checks; talking to a server is
`nbdesk.daemon.kernels.jupyter_api`.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

from nbdesk.daemon.home.atomic import atomic_write
from nbdesk.daemon.home.config import Home
from nbdesk.daemon.home.private import private_dir
from nbdesk.daemon.wire.errors import ErrorCode, ServerError

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


@dataclass(frozen=True)
class Server:
    name: str
    url: str  # without a trailing slash: paths are appended
    token: str
    insecure: bool = False  # plain HTTP to a non-loopback host, or unchecked certificates

    def __repr__(self) -> str:  # never the token
        return f"Server({self.name!r}, {self.url!r}, insecure={self.insecure})"


@dataclass(frozen=True)
class RemoteKernelRef:
    """A kernel to start on a server: what the resolution order hands the kernel layer."""

    server: Server
    kernelspec: str


def pick_name(server: str, kernelspec: str) -> str:
    """How a remote kernel is named in a pick (`change_kernel`, the room's record)."""
    return f"{server}/{kernelspec}"


def split_pick(name: str) -> tuple[str, str]:
    """(server, kernelspec) of a pick name; an error saying the form for anything else."""
    server, slash, kernelspec = name.partition("/")
    if not slash or not server or not kernelspec:
        raise ServerError(
            f"{name!r} does not name a kernel on a server: use SERVER/KERNELSPEC",
            code=ErrorCode.BAD_SERVER,
        )
    return server, kernelspec


def servers_file(home: Home) -> str:
    return str(home.root / "servers.json")


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise ServerError(
            f"{name!r} cannot name a server: use letters, digits, '.', '_' or '-' "
            "(at most 64, starting with a letter or digit)",
            code=ErrorCode.BAD_SERVER,
        )
    return name


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str, *, insecure: bool) -> str:
    """The URL as stored (no trailing slash), or an error saying what to change."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ServerError(
            f"{url!r} is not a server URL: give one like https://gpu.example.org:8888/",
            code=ErrorCode.BAD_SERVER,
        )
    if parts.query or parts.fragment:
        raise ServerError(
            f"{url!r} carries a query or fragment: give the server's base URL only "
            "(the token is asked for separately, never put in a URL)",
            code=ErrorCode.BAD_SERVER,
        )
    if parts.scheme == "http" and not insecure and not is_loopback(parts.hostname):
        raise ServerError(
            f"{url} is plain HTTP to another machine: the token would travel in clear. "
            "Use https://, or add --insecure if this network is yours",
            code=ErrorCode.BAD_SERVER,
        )
    return url.strip().rstrip("/")


def load(home: Home) -> dict[str, Server]:
    """Every stored server by name; none when the file does not exist yet."""
    try:
        with open(servers_file(home), encoding="utf-8") as file:
            raw = json.load(file)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ServerError(
            f"cannot read {servers_file(home)}: {exc}; fix or remove it, then add your "
            "servers again",
            code=ErrorCode.BAD_SERVER,
        ) from exc
    servers = {}
    for entry in raw.get("servers", []):
        server = Server(
            name=str(entry["name"]),
            url=str(entry["url"]),
            token=str(entry.get("token", "")),
            insecure=bool(entry.get("insecure", False)),
        )
        servers[server.name] = server
    return servers


def save(home: Home, servers: dict[str, Server]) -> None:
    private_dir(home.root)
    data = {"servers": [asdict(server) for server in sorted(servers.values(), key=_name)]}
    path = home.root / "servers.json"
    atomic_write(path, (json.dumps(data, indent=1) + "\n").encode(), private=True)
    os.chmod(path, 0o600)  # an older file of wider mode is narrowed too


def _name(server: Server) -> str:
    return server.name


def add(home: Home, name: str, url: str, token: str, *, insecure: bool = False) -> Server:
    """Add or replace the server `name`."""
    server = Server(check_name(name), check_url(url, insecure=insecure), token, insecure)
    servers = load(home)
    servers[name] = server
    save(home, servers)
    return server


def remove(home: Home, name: str) -> Server:
    servers = load(home)
    server = servers.pop(name, None)
    if server is None:
        raise unknown(name, servers)
    save(home, servers)
    return server


def get(home: Home, name: str) -> Server:
    servers = load(home)
    server = servers.get(name)
    if server is None:
        raise unknown(name, servers)
    return server


def unknown(name: str, servers: dict[str, Server]) -> ServerError:
    known = ", ".join(sorted(servers)) or "none"
    return ServerError(
        f"no Jupyter server named {name!r} is set up here (known: {known}); add it with "
        f"`nbdesk server add {name} URL`, or choose another kernel",
        code=ErrorCode.NO_SUCH_SERVER,
    )
