"""The plan-quality evaluation: seeded random requests through the real runner and planner (`make eval`)."""
