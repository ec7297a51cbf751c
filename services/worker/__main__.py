"""`python -m services.worker`: one worker process (the `worker` role), see services.worker.process."""

import sys

from services.worker.process import main

sys.exit(main())
