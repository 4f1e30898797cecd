"""`nbdesk server add|list|remove`: the Jupyter servers whose kernels nbdesk may use.

The token never comes from the command line's arguments (they show in `ps` and shell
history): it is read from `--token-file`, from an environment variable
(`NBDESK_SERVER_TOKEN`, or the one `--token-env` names), or typed at a prompt. The
running daemon reads the servers file whenever it lists or starts a remote kernel, so
nothing needs restarting.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from nbdesk.daemon.home import servers
from nbdesk.daemon.home.config import Home
from nbdesk.daemon.wire.errors import NbdeskError

TOKEN_ENV = "NBDESK_SERVER_TOKEN"


def read_token(args: argparse.Namespace) -> str:
    if args.token_file:
        try:
            return Path(args.token_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise NbdeskError(f"cannot read the token file {args.token_file}: {exc}") from exc
    variable = args.token_env or TOKEN_ENV
    if variable in os.environ:
        return os.environ[variable].strip()
    if args.token_env:
        raise NbdeskError(f"the environment variable {args.token_env} is not set")
    if sys.stdin.isatty():
        return getpass.getpass(f"token for {args.name} (empty for none): ").strip()
    return sys.stdin.readline().strip()


def main(argv: list[str], home: Home | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="nbdesk server", description="Jupyter servers whose kernels nbdesk may use"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser(
        "add", help="add (or replace) a server; asks for its token", allow_abbrev=False
    )
    add.add_argument("name", help="what notebooks and the picker call it")
    add.add_argument("url", help="its base URL, e.g. https://gpu.example.org:8888/")
    add.add_argument("--token-file", help="read the token from this file")
    add.add_argument("--token-env", help=f"read the token from this variable ({TOKEN_ENV})")
    add.add_argument("--token", help=argparse.SUPPRESS)  # refused below, with why
    add.add_argument(
        "--insecure",
        action="store_true",
        help="allow plain HTTP to another machine and skip certificate checks",
    )
    commands.add_parser("list", help="the servers added, without their tokens")
    remove = commands.add_parser("remove", help="forget a server and its token")
    remove.add_argument("name")
    args = parser.parse_args(argv)
    home = home or Home.from_env()
    try:
        if args.command == "add" and args.token is not None:
            raise NbdeskError(
                "a token is never taken from the command line (it would show in `ps` and "
                f"your shell history): use --token-file, {TOKEN_ENV}, or type it at the prompt"
            )
        if args.command == "add":
            servers.check_name(args.name)
            servers.check_url(args.url, insecure=args.insecure)
            server = servers.add(
                home, args.name, args.url, read_token(args), insecure=args.insecure
            )
            print(f"added {server.name}: {server.url}")
        elif args.command == "list":
            for server in servers.load(home).values():
                flags = "  (insecure)" if server.insecure else ""
                token = "token set" if server.token else "no token"
                print(f"{server.name}\t{server.url}\t{token}{flags}")
        else:
            servers.remove(home, args.name)
            print(f"removed {args.name}")
    except NbdeskError as exc:
        print(f"nbdesk server: {exc.message}", file=sys.stderr)
        return 2
    return 0
