"""Support for tests and benchmarks, never imported by the site: service starters
(PostgreSQL, Redis, gunicorn), Debian's Chromium, screenshots, the synthetic article
generator and shared worst-case inputs. tests/ holds the tests; bench/ the benchmarks."""
