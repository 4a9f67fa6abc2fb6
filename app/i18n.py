"""Our translation catalogues: ``translations/<lang>/LC_MESSAGES/messages.po`` compiled on start.

The compiled ``.mo`` files are build output (not committed); they are rebuilt whenever the ``.po``
is newer, so a fresh clone and an edited catalogue both just work.
"""
from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po


def compile_catalogues(directory: str | Path) -> None:
    for po_path in Path(directory).glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        tmp.replace(mo_path)  # atomic: parallel starts never read half a file
