"""One version, said the same everywhere: pyproject, the wheel, the CHANGELOG and the README's install lines."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from ..conftest import ROOT

VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def test_version_is_semver():
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION), VERSION


def test_wheel_carries_the_version(wheel_path: Path):
    assert wheel_path.name.startswith(f"zacatl_infra-{VERSION}-")


def test_changelog_has_a_section_for_the_version():
    text = (ROOT / "CHANGELOG.md").read_text()
    # A heading line of its own, not the words in a sentence.
    released = re.search(rf"^## \[{re.escape(VERSION)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", text, re.MULTILINE)
    # Before the release, the Unreleased section says which version it becomes (and so which tag).
    unreleased = re.search(r"## \[Unreleased\]\n\nReleased as (\S+),", text)
    assert released or (unreleased and unreleased.group(1) == VERSION), "CHANGELOG.md names no section for " + VERSION


def test_readme_install_lines_name_this_version():
    text = (ROOT / "README.md").read_text()
    tags = set(re.findall(r"zacatl-infra@v(\d+\.\d+\.\d+)", text))
    wheels = set(re.findall(r"zacatl_infra-(\d+\.\d+\.\d+)-py3-none-any\.whl", text))
    assert tags == {VERSION} and wheels == {VERSION}, (tags, wheels)
