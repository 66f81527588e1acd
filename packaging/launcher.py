"""Entry point of the frozen build: the ``inspector`` command line (``gui`` opens the app)."""
import sys

from inspector.cli.main import main

if __name__ == "__main__":
    # A double-clicked installer icon has no arguments: open the application.
    sys.exit(main(sys.argv[1:] or ["gui"]))
