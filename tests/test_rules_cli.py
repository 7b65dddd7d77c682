"""`riskcli rules list/show/check`, and the rule format's validation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from riskcli.core.check import normalise
from tests.conftest import RULES, Run


def test_check_passes_on_the_rule_pack_against_the_sources(run: Run, sources_dir: Path) -> None:
    code, out, err = run("rules", "check", "--sources", str(sources_dir))
    assert (code, err) == (0, "")
    assert out.startswith("ok: ")
    assert "quotes found in their sources" in out


@pytest.fixture
def pack_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    return target


def test_check_fails_when_one_word_of_one_quote_is_changed(
    run: Run, sources_dir: Path, pack_copy: Path
) -> None:
    path = pack_copy / "kg-no-refugee-mechanism.yaml"
    text = path.read_text(encoding="utf-8")
    assert "foreign tourists" in text
    path.write_text(text.replace("foreign tourists", "foreign visitors", 1), encoding="utf-8")
    code, out, err = run("--rules", str(pack_copy), "rules", "check", "--sources", str(sources_dir))
    assert code == 1
    assert out.startswith("1 problem(s)")
    assert (
        "FAIL kg-no-refugee-mechanism: sources[0]: quote not found in 003_a6ffd922c2656101.txt"
        in err
    )


def test_check_fails_when_a_source_document_changed(
    run: Run, sources_dir: Path, pack_copy: Path, tmp_path: Path
) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(sources_dir, seeds)
    doc = seeds / "001_97a99247c5863a3b.txt"
    doc.write_bytes(doc.read_bytes() + b"\n")
    code, _, err = run("--rules", str(pack_copy), "rules", "check", "--sources", str(seeds))
    assert code == 1
    assert "001_97a99247c5863a3b.txt: SHA-256 is" in err


def test_check_fails_when_a_rule_test_fails(run: Run, sources_dir: Path, pack_copy: Path) -> None:
    path = pack_copy / "kz-visa-free-90-days.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("days_left: 46", "days_left: 47", 1), encoding="utf-8")
    code, _, err = run("--rules", str(pack_copy), "rules", "check", "--sources", str(sources_dir))
    assert code == 1
    assert (
        "kz-visa-free-90-days: test \"the article's example, entered 25 September, last day "
        '23 December": days_left is 46, expected 47'
    ) in err


def test_check_without_sources_under_ci_is_a_failure(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("RISKCLI_SOURCES", str(tmp_path / "nowhere"))
    monkeypatch.setattr("riskcli.io.rulepack.default_sources_dir", lambda: None)
    monkeypatch.setenv("CI", "true")
    code, out, err = run("rules", "check")
    assert code == 1
    assert "quotes NOT checked" in out
    assert "CI=true and the source documents are missing" in err


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("severity: high", "severity: severe"), "kg-no-refugee-mechanism.yaml: severity: Input should be"),
        (("category: no_refugee_mechanism", "category: nope"), "kg-no-refugee-mechanism.yaml: category:"),
        (("destinations: [KG]", "destinations: [QQ]"), "destinations: 'QQ' is not a country code"),
        (("{field: citizenship, is: RU}", "{field: citizen, is: RU}"),
         "when: when.all[0].field: 'citizen' is not a field"),
        (("{field: citizenship, is: RU}", "{field: citizenship, is: XX}"),
         "when.all[0].is: 'XX' is not allowed; allowed: RU, stateless, other"),
        (("if_unknown: report", "if_unknown: report\ncolour: red"), "colour: unknown field"),
        (("id: kg-no-refugee-mechanism", "id: kg-other-name"), "does not match the file name"),
    ],
)  # fmt: skip
def test_a_bad_rule_file_fails_with_its_file_name_and_field(
    run: Run, pack_copy: Path, edit: tuple[str, str], message: str
) -> None:
    path = pack_copy / "kg-no-refugee-mechanism.yaml"
    text = path.read_text(encoding="utf-8")
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    code, out, err = run("--rules", str(pack_copy), "rules", "list")
    assert (code, out) == (2, "")
    assert message in err
    assert "Traceback" not in err


def test_list_shows_every_rule(run: Run) -> None:
    code, out, _ = run("rules", "list")
    assert code == 0
    for path in RULES.glob("*.yaml"):
        if path.name != "sources.yaml":
            assert path.stem in out


def test_show_gives_quote_condition_and_tests_in_the_chosen_language(run: Run) -> None:
    code, out, _ = run("rules", "show", "kz-visa-free-90-days", "--lang", "ru")
    assert code == 0
    assert "Безвизовое пребывание в Казахстане" in out
    assert "for a 90-day stay" in out  # the quote stays in the document's language
    assert "field: citizenship" in out
    assert "fires: day 89 in the country, one day left" in out


def test_show_unknown_rule_exits_2(run: Run) -> None:
    code, out, err = run("rules", "show", "kz-nothing")
    assert (code, out) == (2, "")
    assert "no rule 'kz-nothing'" in err


def test_quote_normalisation_is_whitespace_and_quotes_only() -> None:
    assert normalise("“a”  b\n c ‘d’") == "\"a\" b c 'd'"
    assert normalise("a—b") == "a—b"  # a dash is not a quote: it must match exactly
