"""`nbdesk`: the command line of the app.

`nbdesk [PATH...]` opens a window per notebook (none: the last session, else a new
notebook); `nbdesk daemon ...` manages (and `nbdesk daemon serve` is) the daemon;
`nbdesk run` executes headlessly; `nbdesk kernel -f FILE` is an ipykernel (see
daemon.frozen: the frozen app is one executable).
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    # Imports stay inside the branches: the window path must not pay for nbformat.
    if args and args[0] == "daemon":
        from daemon import cli as daemon_cli

        return daemon_cli.main(args[1:])
    if args and args[0] == "kernel":  # how the frozen app runs an ipykernel
        from daemon import frozen

        return frozen.run_kernel(args[1:])
    if args and args[0] == "run":
        from daemon import run

        return run.main(args[1:])
    if args and args[0] in ("-h", "--help"):
        print(
            "usage: nbdesk [PATH...] | nbdesk daemon {start,stop,status,logs,gc,serve}"
            " | nbdesk run NOTEBOOK [-o OUT] | nbdesk kernel -f CONNECTION_FILE"
        )
        return 0
    try:
        from desktop import app
    except ImportError as exc:
        from daemon import cli as daemon_cli
        from daemon.home import Home

        status = daemon_cli.start(Home.from_env())
        print(f"nbdesk daemon running (pid {status['pid']}); no desktop windows: {exc}")
        return 0
    return app.main(args)


if __name__ == "__main__":
    sys.exit(main())
