"""`make bench`: the API under wrk on SQLite and PostgreSQL, against a database-free ceiling.

Seeds realistic data by bulk SQL (`seed.py`, `dataset.py`), serves the app and the ceiling
with uvicorn (`server.py`, `raw_app.py`), loads every endpoint in interleaved rounds
(`measure.py`, `endpoints.py`, `load.py`) and writes the table to bench/results
(`report.py`). `python -m tests.bench.run --help` lists the options.
"""

import time

from tests.bench import load, measure, options, report


def main(argv: list[str] | None = None) -> None:
    chosen = options.parse(argv)
    wrk = load.Wrk(load.ensure_wrk())
    meta = report.metadata()
    started = time.monotonic()
    runs = measure.main_runs(chosen, wrk)
    meta["minutes"] = round((time.monotonic() - started) / 60, 1)
    print()
    print(report.write(runs, chosen, meta))
    if chosen.output is not None:
        print(f"Written to {chosen.output}/latest.md and latest.json ({meta['minutes']} min).")


if __name__ == "__main__":
    main()
