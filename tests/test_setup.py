"""The set-up a fresh machine gets: the lock, our own loader messages, YAML 1.1 words, --version."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from riskcli import __version__
from riskcli.core.errors import InputError
from riskcli.core.profile import make_profile
from riskcli.io.loaders import MAX_DEPTH, parse_data
from riskcli.io.rulepack import pack_version
from tests.conftest import RULES, Run

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements" / "requirements-dev.txt"
TOO_DEEP = f"f.yaml: lists or mappings nested more than {MAX_DEPTH} deep"

# Files that reach every layer that can notice deep nesting: our composer (65 to about 1,000
# levels), libyaml's parser (about 1,000 and more) and the pure-Python scanner (block indents).
DEEP = {
    "flow 65": "[" * 65 + "]" * 65,
    "flow 2000, unclosed": "[" * 2000,
    "flow 100000": "[" * 100_000,
    "mappings 5000": "{a: " * 5000,
    "block 300": "a:\n" + "".join(" " * i + "b:\n" for i in range(1, 300)),
}


def test_the_lock_pins_every_package_with_hashes() -> None:
    text = LOCK.read_text(encoding="utf-8")
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==([^\s;]+)", text, flags=re.M)
    names = {name.lower() for name, _ in pins}
    # riskcli's own dependencies, its test tools and the tools the Makefile itself uses
    for needed in (
        "durable-rules",
        "pydantic",
        "typer",
        "questionary",
        "pyyaml",
        "pytest",
        "ruff",
        "mypy",
        "hatchling",
        "pip",
        "uv",
    ):
        assert needed in names, f"{needed} is not pinned in {LOCK.name}"
    entries = re.split(r"\n(?=[A-Za-z0-9_.-]+==)", text.split("\n", 2)[2])
    for entry in entries:
        if "==" in entry:
            assert "--hash=sha256:" in entry, f"no hash for {entry.splitlines()[0]}"


def test_make_installs_from_the_lock_with_hashes_checked() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--require-hashes" in makefile and "requirements/requirements-dev.txt" in makefile
    assert "--no-deps" in makefile and "--no-build-isolation" in makefile
    # the build back-ends go in before anything is built without isolation
    assert makefile.index("-r $(BUILD_LOCK)") < makefile.index("--no-build-isolation -r $(LOCK)")


def _pins(text: str) -> dict[str, tuple[str, frozenset[str]]]:
    entries = re.split(r"\n(?=[A-Za-z0-9_.-]+==)", text)
    pins = {}
    for entry in entries:
        head = re.match(r"([A-Za-z0-9_.-]+)==([^\s;]+)", entry)
        if head:
            hashes = frozenset(re.findall(r"--hash=(sha256:[0-9a-f]+)", entry))
            pins[head[1].lower()] = (head[2], hashes)
    return pins


def test_the_build_lock_pins_the_same_releases_as_the_lock() -> None:
    """requirements/build.txt (installed first) is a subset of the lock, hash for hash."""
    build = _pins((ROOT / "requirements" / "build.txt").read_text(encoding="utf-8"))
    full = _pins(LOCK.read_text(encoding="utf-8"))
    assert {"pip", "setuptools", "wheel", "hatchling", "editables"} <= set(build)
    for name, pin in build.items():
        assert full.get(name) == pin, f"{name} is pinned differently in build.txt and the lock"


@pytest.mark.parametrize("text", list(DEEP.values()), ids=list(DEEP))
def test_deep_nesting_gets_our_message_whichever_layer_notices(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_data("f.yaml", text)
    assert str(caught.value) == TOO_DEEP


def test_our_nesting_message_with_the_oldest_supported_pyyaml(tmp_path: Path) -> None:
    """PyYAML 6.0.2 (whose libyaml did not stop deep files first) beside the locked release."""
    target = tmp_path / "oldyaml"
    got = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--disable-pip-version-check",
            "-q",
            "install",
            "--require-hashes",
            "--no-deps",
            "--only-binary",
            ":all:",
            "--target",
            str(target),
            "-r",
            str(ROOT / "requirements" / "pyyaml-oldest.txt"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if got.returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail(f"could not install PyYAML 6.0.2: {got.stderr[-500:]}")
        pytest.skip("PyYAML 6.0.2 could not be installed here (no package index)")
    script = (
        "import json, sys, yaml\n"
        "from riskcli.core.errors import InputError\n"
        "from riskcli.io.loaders import parse_data\n"
        "out = {'version': yaml.__version__, 'messages': []}\n"
        "for text in json.loads(sys.stdin.read()):\n"
        "    try:\n"
        "        parse_data('f.yaml', text)\n"
        "        out['messages'].append(None)\n"
        "    except InputError as exc:\n"
        "        out['messages'].append(str(exc))\n"
        "print(json.dumps(out))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), str(ROOT)])}
    ran = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(list(DEEP.values())),
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    result = json.loads(ran.stdout)
    assert result["version"] == "6.0.2"
    assert result["messages"] == [TOO_DEEP] * len(DEEP)


@pytest.mark.parametrize(
    "text",
    [
        "a: \x01",  # the reader's message holds a newline
        "a: 'unclosed\n",
        "a:\n\tb: 1",
        'a: "\\q"',
        "- a\nb: c",
        "{a: 1,, }",
    ],
)
def test_broken_yaml_gets_one_line(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_data("f.yaml", text)
    message = str(caught.value)
    assert "\n" not in message and message.startswith("f.yaml: ")


def test_yaml_1_1_words_stay_country_codes_and_strings() -> None:
    data = parse_data(
        "f.yaml", "destination: NO\nonward_destinations: [NO, SE, ON, Y, N]\nx: yes\nt: true"
    )
    assert data == {
        "destination": "NO",
        "onward_destinations": ["NO", "SE", "ON", "Y", "N"],
        "x": "yes",
        "t": True,
    }


def test_norway_is_assessed_from_a_bare_no(run: Run, write: Any) -> None:
    text = "destination: NO\nonward_destinations: [NO, SE]\nrelatives_in_russia: yes\n"
    profile = make_profile(parse_data("a.yaml", text))
    assert profile.destination == "NO" and profile.onward_destinations == ["NO", "SE"]
    assert profile.relatives_in_russia is True
    code, out, err = run("assess", "--answers", str(write("a.yaml", text)), "--format", "json")
    assert (code, err) == (0, "")
    assert json.loads(out)["coverage"]["destination_name"] == "Norway"


def test_version_names_the_rule_pack_and_the_engine(run: Run) -> None:
    code, out, _ = run("--version")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"riskcli {__version__}"
    assert lines[1].startswith(f"rule pack: {pack_version(RULES)}")
    assert lines[2].startswith("engine: ")
    code, out, _ = run("--engine", "oracle", "--version")
    assert "engine: the plain-Python evaluator of the same rules" in out


def test_the_version_is_written_once() -> None:
    init = (ROOT / "riskcli" / "__init__.py").read_text(encoding="utf-8")
    assert not re.search(r"__version__\s*=\s*[\"']\d", init)
