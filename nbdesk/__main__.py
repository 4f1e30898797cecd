"""`python -m nbdesk`: the `nbdesk` command."""

import sys

from nbdesk.cli import main

sys.exit(main())
