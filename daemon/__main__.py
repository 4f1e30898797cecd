"""`nbdeskd`: run the per-user daemon in the foreground.

A second daemon for the same home reports the running one and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys

from nbdesk.daemon.home.config import Home, Settings, read_info
from nbdesk.daemon.home.daemon_preferences import with_preferences
from nbdesk.daemon.home.logs import setup_logging
from nbdesk.daemon.server.daemon import AlreadyRunning, Daemon, acquire_lock
from nbdesk.daemon.wire.errors import NbdeskError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nbdeskd", description="Run the nbdesk daemon.")
    parser.add_argument("--quiet", action="store_true", help="log only to the log file")
    args = parser.parse_args(argv)
    # Panics of the Automerge binding are caught and logged; their Rust backtraces are noise.
    os.environ["RUST_BACKTRACE"] = "0"
    home = Home.from_env()
    try:
        lock = acquire_lock(home)
    except AlreadyRunning:
        info = read_info(home) or {}
        print(f"nbdesk daemon already running: {json.dumps(info)}")
        return 0
    except NbdeskError as exc:  # a home it cannot use: say why instead of a traceback
        print(f"nbdesk daemon: {exc}", file=sys.stderr)
        return 1
    setup_logging(home.log_file, to_stderr=not args.quiet)
    try:
        asyncio.run(Daemon(home, with_preferences(home, Settings.from_env())).serve())
    finally:
        lock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
