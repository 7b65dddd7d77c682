"""``assess --format html`` (issue 16): a printable A4 handout, checked in a real browser.

The file is printed to PDF by headless Chromium (Debian's ``chromium`` package; `.ci/run`
installs it) and read back with ``pdftotext``/``pdfinfo`` (poppler-utils): the text a person
gets on paper, and its page count. Without Chromium these tests are skipped, saying why.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.conftest import Run

CASES = Path(__file__).parent / "cases"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
POPPLER = shutil.which("pdftotext") and shutil.which("pdfinfo")
needs_browser = pytest.mark.skipif(
    not (CHROMIUM and POPPLER),
    reason="headless Chromium and poppler-utils are needed to print the handout "
    "(apt-get install chromium poppler-utils; .ci/run installs them)",
)


def _print_pdf(html: Path, tmp_path: Path) -> tuple[str, int]:
    """Print ``html`` to PDF in headless Chromium, offline; (its text, its page count)."""
    assert CHROMIUM is not None
    pdf = tmp_path / (html.stem + ".pdf")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--no-pdf-header-footer",
                f"--user-data-dir={profile}",
                f"--print-to-pdf={pdf}",
                html.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
            env={**os.environ, "HOME": profile},
        )
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))  # type: ignore[union-attr]
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info.stdout, re.M)
    assert size is not None
    assert (round(float(size.group(1))), round(float(size.group(2)))) == (595, 842)  # A4
    return text, pages


def _handout(run: Run, tmp_path: Path, case: str, lang: str) -> Path:
    out = tmp_path / f"{Path(case).stem}-{lang}.html"
    code, stdout, err = run(
        "assess", "-a", str(CASES / case), "--format", "html", "--lang", lang, "-o", str(out)
    )
    assert code == 0, err
    assert stdout == ""
    return out


def test_handout_is_one_self_contained_file(run: Run, tmp_path: Path) -> None:
    html = _handout(run, tmp_path, "kg-activist.yaml", "ru").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="ru">' in html
    assert "@page { size: A4;" in html
    assert "default-src 'none'" in html  # the browser may fetch nothing
    for fetch in ("<script", "<link", "<img", " src=", "href=", "url(", "@import", "://"):
        assert fetch not in html.lower(), fetch
    # the same opening as the text report: its header and its summary line, first
    code, text, _ = run("assess", "-a", str(CASES / "kg-activist.yaml"), "--lang", "ru")
    assert code == 0
    first, summary = text.splitlines()[:2]
    opening = re.sub(r"<[^>]+>", "", html.split("<body>")[1].split("<h2>")[0])
    assert opening.lstrip().startswith(first.strip())
    assert summary.split(":")[0] + ":" in opening


@needs_browser
@pytest.mark.parametrize(
    ("case", "lang"),
    [("kg-activist.yaml", "ru"), ("kg-unknown.yaml", "en"), ("kz-almaty.json", "ru")],
)
def test_handout_prints_on_one_or_two_a4_pages(
    run: Run, tmp_path: Path, case: str, lang: str
) -> None:
    html = _handout(run, tmp_path, case, lang)
    text, pages = _print_pdf(html, tmp_path)
    assert 1 <= pages <= 2, f"{pages} pages"
    code, report, _ = run("assess", "-a", str(CASES / case), "--lang", lang, "--format", "json")
    assert code == 0

    data = json.loads(report)
    flat = " ".join(text.split())
    # in the person's language, opening with the header and what to do, every risk named
    title = "Оценка рисков" if lang == "ru" else "Risk assessment"
    assert flat.startswith(title)
    for risk in data["risks"]:
        assert " ".join(risk["title"].split()) in flat, risk["title"]
    if data["summary"]["highest_severity"]:  # the opening block says what to do first
        do = "Что сделать" if lang == "ru" else "What to do"
        assert flat.index(do) < flat.index(" ".join(data["risks"][0]["title"].split()))
    assert ("не заменяет юриста" if lang == "ru" else "not legal advice") in flat
