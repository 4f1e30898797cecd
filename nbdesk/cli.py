"""`nbdesk`: the command line of the app.

`nbdesk [PATH...]` opens a window per notebook (none: the last session, else a new
notebook); `nbdesk daemon ...` manages (and `nbdesk daemon serve` is) the daemon;
`nbdesk run` executes headlessly; `nbdesk trust` approves a notebook's packages; `nbdesk
export` writes HTML, a script, Markdown or PDF; `nbdesk mcp` serves the Model Context
Protocol on stdio (agents as peers); `nbdesk diff A B` diffs two notebooks cell by
cell (also as a git difftool); `nbdesk server ...` adds the Jupyter servers whose
kernels notebooks may use; `nbdesk kernel -f FILE` is an ipykernel (see
`nbdesk.daemon.home.frozen`: the frozen app is one executable).
"""

from __future__ import annotations

import os
import sys

USAGE = (
    "usage: nbdesk [--create] [PATH...] | nbdesk daemon {start,stop,status,logs,gc,serve}"
    " | nbdesk run NOTEBOOK [-o OUT] [--kernel NAME] [--timeout S] [--allow-errors]"
    " [-p NAME VALUE]... [-f PARAMS.yaml]... [--trust] | nbdesk trust NOTEBOOK [--yes]"
    " | nbdesk export {NOTEBOOK | --id ID} --to {html,script,markdown,pdf} [-o OUT]"
    " | nbdesk mcp | nbdesk server {add,list,remove} | nbdesk diff OLD.ipynb NEW.ipynb"
    " | nbdesk kernel -f CONNECTION_FILE"
)


COMMANDS = ("daemon", "run", "export", "mcp", "server", "diff", "kernel")


def not_a_command(word: str) -> str | None:
    """Why `word` (the first argument) is refused, when it reads as a mistyped command: a
    bare word that names no file here. Anything path-like is a notebook to open."""
    if word in COMMANDS or word.startswith("-") or os.sep in word or "." in word:
        return None
    if os.path.exists(word):
        return None
    from nbdesk.daemon.client.did_you_mean import closest

    meant = closest(word, COMMANDS)
    if meant is not None:
        return f"{word!r} is not a command. Did you mean `nbdesk {meant}`?"
    return f"{word!r} is neither a command ({', '.join(COMMANDS)}) nor a file here.\n{USAGE}"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    # Imports stay inside the branches: the window path must not pay for nbformat.
    if args[:2] == ["daemon", "serve"]:
        from nbdesk.daemon.__main__ import main as serve

        return serve(args[2:])
    if args and args[0] == "daemon":
        from nbdesk.daemon.client import daemon_cli

        return daemon_cli.main(args[1:])
    if args and args[0] == "kernel":  # how the frozen app runs an ipykernel
        from nbdesk.daemon.home import frozen

        return frozen.run_kernel(args[1:])
    if args and args[0] == "server":
        from nbdesk.daemon.client import servers_cli

        return servers_cli.main(args[1:])
    if args and args[0] == "run":
        from nbdesk.daemon.client import run

        return run.main(args[1:])
    if args and args[0] == "trust":
        from nbdesk.daemon.client import trust_cli

        return trust_cli.main(args[1:])
    if args and args[0] == "export":
        from nbdesk.daemon.client import export_cli

        return export_cli.main(args[1:])
    if args and args[0] == "diff":
        from nbdesk.daemon.client import diff_cli

        return diff_cli.main(args[1:])
    if args and args[0] == "mcp":
        from nbdesk.daemon.client import mcp_server

        return mcp_server.main(args[1:])
    if args and args[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    refused = not_a_command(args[0]) if args else None
    if refused is not None:
        print(f"nbdesk: {refused}", file=sys.stderr)
        return 2
    from nbdesk.desktop import app

    return app.main(args)


if __name__ == "__main__":
    sys.exit(main())
