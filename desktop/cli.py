"""`nbdesk`: the command line of the app.

`nbdesk daemon ...` manages the daemon. Opening notebooks in windows (`nbdesk [PATH...]`)
is the desktop shell's job; until it lands, `nbdesk` starts the daemon and reports it.
"""

from __future__ import annotations

import sys

from daemon import cli as daemon_cli
from daemon import run
from daemon.home import Home


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "daemon":
        return daemon_cli.main(args[1:])
    if args and args[0] == "run":
        return run.main(args[1:])
    if args and args[0] in ("-h", "--help"):
        print("usage: nbdesk daemon {start,stop,status,logs} | nbdesk run NOTEBOOK [-o OUT]")
        return 0
    status = daemon_cli.start(Home.from_env())
    print(f"nbdesk daemon running (pid {status['pid']}); the desktop windows are not built yet.")
    print("Use daemon.client.NotebookClient from Python, or `nbdesk daemon status`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
