"""Refresh our catalogues from the code: ``.venv/bin/python translations/update.py``.

Extracts every string of ours (app/**.py, app/templates/**.html), keeps existing translations,
drops strings no longer used and lists those still to translate. ``.mo`` files are compiled by
the app at start (app/i18n.py).
"""
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_l": None, "lazy_gettext": None, "gettext": None, "_": None}
METHODS = [("app/**.py", "python"), ("app/templates/**.html", "jinja2")]


def main() -> None:
    ids = []
    for _file, _line, message, *_ in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS):
        msgid = message if isinstance(message, str) else message[0]
        if msgid not in ids:
            ids.append(msgid)
    for po_path in sorted((ROOT / "translations").glob("*/LC_MESSAGES/messages.po")):
        with po_path.open("rb") as po:
            old = read_po(po)
        new = Catalog(locale=old.locale, project="grid", charset="utf-8", fuzzy=False)
        for msgid in ids:
            new.add(msgid, old.get(msgid).string if old.get(msgid) else "")
        with po_path.open("wb") as po:
            write_po(po, new, width=100, no_location=True, omit_header=False)
        missing = [m.id for m in new if m.id and not m.string]
        print(f"{po_path.relative_to(ROOT)}: {len(ids)} strings, {len(missing)} to translate")
        for msgid in missing:
            print(f"  {msgid}")


if __name__ == "__main__":
    main()
