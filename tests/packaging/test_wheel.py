"""`pip install` gives service repositories the library: a wheel with the package, py.typed and data."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ..conftest import ROOT


@pytest.fixture(scope="module")
def wheel(wheel_path: Path) -> zipfile.ZipFile:
    # Built by `pip wheel` in the background while other tests run (tests/jobs.py).
    return zipfile.ZipFile(wheel_path)


def test_wheel_ships_the_package_and_its_type_marker(wheel: zipfile.ZipFile):
    names = set(wheel.namelist())
    assert "zacatl_infra/py.typed" in names
    assert {"zacatl_infra/__init__.py", "zacatl_infra/naming.py", "zacatl_infra/synth.py"} <= names


def test_wheel_ships_every_library_file_and_nothing_else(wheel: zipfile.ZipFile):
    source = ROOT / "constructs"
    expected = {
        str(p.relative_to(source))
        for p in source.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and not p.name.endswith((".pyc", ".egg-info"))
        and ".egg-info" not in str(p)
    }
    shipped = {n for n in wheel.namelist() if not n.startswith("zacatl_infra-")}
    assert shipped == expected
    assert not any(n.startswith(("constructs/", "tests/", "environments/")) for n in shipped)


def test_wheel_declares_the_zacatl_infra_command(wheel: zipfile.ZipFile):
    (entry_points,) = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    text = wheel.read(entry_points).decode()
    assert "[console_scripts]" in text and "zacatl-infra = zacatl_infra.cli:main" in text
