"""One wheel per test run, built from this checkout, shared by the packaging tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import ROOT


@pytest.fixture(scope="session")
def wheel_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(outdir), str(ROOT)],
                   check=True, capture_output=True, text=True, timeout=240)
    (built,) = outdir.glob("zacatl_infra-*.whl")
    return built
