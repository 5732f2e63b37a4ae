"""`python -m app` and the PyInstaller entry point: the `vaxdesk` command."""

from __future__ import annotations

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
