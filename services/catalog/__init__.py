"""The events catalog: search (`queries`), writes (`store`), the demo city (`demo`), .ics feeds (`ics`).

Empty on purpose: importers name the module they use (`from services.catalog import queries`).
The command line lives in `cli` (`python -m services.catalog`), which nothing else imports.
"""
