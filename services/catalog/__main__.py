"""`python -m services.catalog ...`: see services.catalog.cli."""

import sys

from services.catalog.cli import main

sys.exit(main())
