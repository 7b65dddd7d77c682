"""``make catalog``: bring the .po files in step with messages.py and compile them to .mo.

A developer's tool (it needs Babel, from the dev lock); riskcli itself reads the compiled
.mo with the standard library's ``gettext`` and never imports this module.

1. The template (the English msgids, each with its key as msgctxt) is built from
   ``MESSAGES``.
2. Every ``locale/<lang>/LC_MESSAGES/riskcli.po`` is updated from it: new messages come in
   untranslated, changed ones are marked fuzzy (and left out of the .mo until a translator
   checks them), removed ones become obsolete.
3. Each .po is compiled to its .mo, beside it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from riskcli.i18n.messages import MESSAGES

DOMAIN = "riskcli"
LOCALE_DIR = Path(__file__).parent / "locale"


def template() -> Catalog:
    catalog = Catalog(project="riskcli", domain=DOMAIN, fuzzy=False)
    for key, text in MESSAGES.items():
        catalog.add(text, context=key)
    return catalog


def po_paths() -> list[Path]:
    return sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def read(path: Path) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=path.parent.parent.name, domain=DOMAIN)


def update(path: Path) -> Catalog:
    catalog = read(path)
    catalog.update(template(), update_header_comment=False, update_creation_date=False)
    catalog.obsolete.clear()
    with path.open("wb") as fh:
        write_po(fh, catalog, width=96, sort_output=False, omit_header=False)
    return catalog


def compile_mo(path: Path, catalog: Catalog) -> Path:
    mo = path.with_suffix(".mo")
    with mo.open("wb") as fh:
        write_mo(fh, catalog, use_fuzzy=False)
    return mo


def untranslated(catalog: Catalog) -> list[str]:
    out = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            out.append(str(message.context))
    return out


def main() -> int:
    status = 0
    for path in po_paths():
        catalog = update(path)
        compile_mo(path, catalog)
        todo = untranslated(catalog)
        print(f"{path}: {len(MESSAGES) - len(todo)} of {len(MESSAGES)} messages translated")
        for key in todo:
            print(f"  to translate (or check, if fuzzy): {key}")
        status = status or (1 if todo else 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
