"""CSV for the street office: UTF-8 with BOM (Excel on Chinese Windows opens it), Chinese headers,
values as the user sees them (labels, masks), cells that a spreadsheet would run neutralised,
streamed in batches so memory stays flat however many rows."""
from __future__ import annotations

import csv
import io

from markupsafe import Markup

BOM = "\ufeff"
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 1000


def cell(value) -> str:
    text = "" if value is None else (Markup(value).striptags() if isinstance(value, Markup) else str(value))
    return "'" + text if text.startswith(DANGEROUS) else text


def rows_to_csv(header, rows):
    """Yield the CSV text chunk by chunk: the header (with the BOM), then a chunk per batch."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([cell(name) for name in header])
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(rows, start=1):
        writer.writerow([cell(value) for value in row])
        if count % BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
