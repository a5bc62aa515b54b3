"""CSV files for POST /v1/applications/import.csv: real-world-shaped samples (files beside this
one) and `sample_csv`, a file of any length for tests and the bench.

- huntr.csv: a Huntr-like board export (List column, a quoted cell across two lines).
- teal.csv: a Teal-like tracker export (Job Position, Excitement, unread Date Saved/Follow Up).
- excel_german.csv: German Excel, semicolons, a byte order mark, CRLF, dates as 01.10.2026.
- google_sheets.tsv: Google Sheets saved as tab-separated values (Remote yes/no, tags).
"""

import csv
import io
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).parent
SAMPLE_HEADER = (
    "Company",
    "Job Title",
    "Status",
    "Date Applied",
    "URL",
    "Location",
    "Salary",
    "Tags",
    "Notes",
)
_STATUSES = ("Applied", "Applied", "Interviewing", "Rejected", "Phone screen", "Ghosted", "Saved")
_CITIES = ("Berlin", "Lisbon", "Remote", "Paris", "Madrid", "London")


def read_sample(name: str) -> bytes:
    """A sample file's bytes, exactly as saved."""
    return (HERE / name).read_bytes()


def sample_csv(rows: int, *, start: int = 0) -> bytes:
    """A UTF-8 CSV of `rows` distinct applications (each its own posting URL, numbered from
    `start`), most columns filled, two in seven of them rejected or ghosted
    (each of those also gets an outcome). Deterministic: the same arguments, the same bytes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(SAMPLE_HEADER)
    first_day = date(2025, 1, 1)
    for number in range(start, start + rows):
        low = 50 + number % 40
        writer.writerow(
            (
                f"Company {number % 997}",
                f"Engineer {number}",
                _STATUSES[number % len(_STATUSES)],
                (first_day + timedelta(days=number % 600)).isoformat(),
                f"https://jobs.example/postings/{number}?utm_source=sheet",
                _CITIES[number % len(_CITIES)],
                f"{low}k-{low + 15}k EUR" if number % 3 else "",
                "python, backend" if number % 2 else "remote",
                f"Row {number}: spoke to the recruiter, sent the portfolio.",
            )
        )
    return buffer.getvalue().encode()
