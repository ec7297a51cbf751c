"""Runs app.py with the scripted planner in place of the real ones (dev previews and tests only).

SCRIPTED_STEP_DELAY_S slows each step; SCRIPTED_ERROR makes every generation fail with that message.
The runner (or each planner process) gets the scripted planner through `app.state.planner_for`, which app.py's
start-up passes on.
"""

import os
import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from nicegui import app  # noqa: E402

from tests.fakes.planners import scripted_from_env  # noqa: E402

app.state.planner_for = scripted_from_env  # by name, so the planner processes get it too
os.chdir(ROOT)
runpy.run_path(str(ROOT / 'app.py'), run_name='__main__')
