"""Both lock files install on every supported Python, Debian 12's 3.11.2 included.

Facts: tests/locks/pins.json, recorded from the PyPI JSON API by scripts/record-lock-metadata.py
(its header names the source and date). Offline, these tests prove from those facts that every pin
admits each supported Python by its Requires-Python, ships a wheel pip can pick on Linux x86-64
for it, and is not yanked; CI's lock matrix installs the locks for real on the same versions.
"""

from __future__ import annotations

import json
import re
import tomllib

import pytest
import yaml
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from .conftest import ROOT

LOCKS = ("requirements.lock", "requirements-checkov.lock")
RECORD = json.loads((ROOT / "tests" / "locks" / "pins.json").read_text())
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
#: Debian 12's python3 (packages.debian.org/bookworm/python3.11: 3.11.2-6), the oldest Python the
#: team rules promise; it predates soupsieve 3's need for 3.11.5's possessive quantifiers.
DEBIAN_12_PYTHON = "3.11.2"
SUPPORTED_MINORS = sorted(
    (c.rsplit(" :: ", 1)[1] for c in PYPROJECT["classifiers"] if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)),
    key=Version,
)
#: The oldest and newest patch release each check is made for.
PYTHONS = [DEBIAN_12_PYTHON, *(f"{minor}.0" for minor in SUPPORTED_MINORS[1:])]


def _pins(lock: str) -> dict[str, str]:
    lines = (line.split("#", 1)[0].strip() for line in (ROOT / lock).read_text().splitlines())
    return dict(line.split("==", 1) for line in lines if line)


def _wheel_installs_on(tag: str, python: str) -> bool:
    """Whether a wheel tagged ``<python tag>-<abi>-<platform>`` installs on CPython ``python`` (PEP 425)."""
    py_tags, abi, _ = tag.split("-")
    minor = Version(python).minor
    for py in py_tags.split("."):
        if py == "py3":
            return True
        if py.startswith("py3") and abi == "none" and int(py[3:]) <= minor:
            return True
        if py.startswith("cp3"):
            built_for = int(py[3:])
            if built_for == minor or (abi == "abi3" and built_for <= minor):
                return True
    return False


@pytest.mark.parametrize("lock", LOCKS)
def test_every_pin_is_recorded_at_its_locked_version(lock):
    recorded = {name: facts["version"] for name, facts in RECORD["locks"][lock].items()}
    assert recorded == _pins(lock), f"tests/locks/pins.json is stale for {lock}: run scripts/record-lock-metadata.py"


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("lock", LOCKS)
def test_every_pin_admits_the_python_by_requires_python(lock, python):
    refused = [f"{name}=={facts['version']} requires Python {spec}"
               for name, facts in RECORD["locks"][lock].items()
               for spec in facts["requires_python"] if spec and python not in SpecifierSet(spec)]
    assert not refused, f"{lock} does not install on Python {python}:\n" + "\n".join(refused)


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("lock", LOCKS)
def test_every_pin_has_a_wheel_for_the_python(lock, python):
    # An sdist alone would need a compiler on the machine (numpy, pydantic-core, rpds-py): not an install.
    missing = [f"{name}=={facts['version']} (wheels: {facts['linux_x86_64_wheels']})"
               for name, facts in RECORD["locks"][lock].items()
               if not any(_wheel_installs_on(tag, python) for tag in facts["linux_x86_64_wheels"])]
    assert not missing, f"{lock}: no Linux x86-64 wheel for Python {python}:\n" + "\n".join(missing)


@pytest.mark.parametrize("lock", LOCKS)
def test_no_pin_is_yanked(lock):
    yanked = {name: facts["yanked"] for name, facts in RECORD["locks"][lock].items() if facts["yanked"]}
    assert not yanked, f"{lock} pins yanked releases: {yanked}"


def test_fails_on_the_soupsieve_release_that_broke_debian_12():
    # soupsieve 4.1.3 (PyPI, 2026-11-20) declares Requires-Python >=3.11.5: the pin this file replaced.
    assert DEBIAN_12_PYTHON not in SpecifierSet(">=3.11.5")
    assert not _wheel_installs_on("cp314-cp314-linux_x86_64", DEBIAN_12_PYTHON)
    assert _wheel_installs_on("cp39-abi3-linux_x86_64", DEBIAN_12_PYTHON)


def test_requires_python_admits_every_supported_python():
    for python in PYTHONS:
        assert python in SpecifierSet(PYPROJECT["requires-python"]), python
    assert SUPPORTED_MINORS[0] == "3.11" and "3.14" in SUPPORTED_MINORS


def test_ci_lock_matrix_runs_every_supported_python():
    jobs = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())["jobs"]
    matrix = {Version(v).base_version for v in jobs["locks"]["strategy"]["matrix"]["python-version"]}
    assert jobs["locks-debian-12"]["container"] == "debian:12"
    assert sorted(matrix | {"3.11"}, key=Version) == SUPPORTED_MINORS
