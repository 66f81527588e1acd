"""``python -m inspector`` runs the command line."""
import sys

from inspector.cli.main import main

sys.exit(main())
