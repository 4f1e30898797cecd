"""The frozen app's entry point: the `nbdesk` command line (see desktop.cli)."""

import sys

from desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
