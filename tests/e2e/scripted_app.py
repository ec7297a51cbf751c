"""Runs app.py with the scripted planner in place of the real ones (dev previews and tests only).

SCRIPTED_STEP_DELAY_S slows each step; SCRIPTED_ERROR makes every generation fail with that message.
The runner gets the scripted planner through `app.state.planner_for`, which app.py's start-up passes to it.
"""

import os
import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from nicegui import app  # noqa: E402

from tests.fakes.planners import ScriptedPlanner  # noqa: E402


def scripted(_name: str) -> ScriptedPlanner:
    return ScriptedPlanner(
        step_delay_s=float(os.environ.get('SCRIPTED_STEP_DELAY_S') or os.environ.get('OFFLINE_STEP_DELAY_S') or '0.5'),
        error=os.environ.get('SCRIPTED_ERROR') or None,
    )


app.state.planner_for = scripted
os.chdir(ROOT)
runpy.run_path(str(ROOT / 'app.py'), run_name='__main__')
