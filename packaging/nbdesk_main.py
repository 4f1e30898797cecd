"""The frozen app's entry point: the `nbdesk` command line (see nbdesk.cli)."""

import sys

from nbdesk.cli import main

if __name__ == "__main__":
    sys.exit(main())
