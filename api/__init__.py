"""The JSON API (docs/ARCHITECTURE.md, API): a second front door onto the same services as the pages."""
