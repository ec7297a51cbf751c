"""Generations: the lifecycle rules in the database (store), the runner, the periodic jobs (scheduler), and
the service facade the API and the pages call (service), with the refusals it raises (errors)."""
