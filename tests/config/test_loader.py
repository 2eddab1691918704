"""Loading environment files: errors name the environment (by file) and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from zacatl_infra.config import ConfigError, load_environments

from ..conftest import ROOT


def test_loads_every_committed_environment():
    # Derived from the folder, so adding an environment file needs no edit here.
    files = sorted(p.stem for p in (ROOT / "environments").glob("*.py") if not p.name.startswith("_"))
    names = [e.name for e in load_environments(ROOT / "environments")]
    assert names == files and names


def test_error_names_the_environment_file_and_field(tmp_path: Path):
    (tmp_path / "qa.py").write_text(
        "from zacatl_infra.config import presets\n"
        "ENVIRONMENT = presets.environment('dev', name='qa', account='1', region='eu-west-1',\n"
        "    availability_zones=('eu-west-1a', 'eu-west-1b'), domain='qa.example.com',\n"
        "    services=(presets.zacatl_example_backend('dev', image={'tag': '1.0.0'}),))\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_environments(tmp_path)
    assert str(caught.value).startswith("environment 'qa' is invalid:")
    assert "field account: '1' is not an AWS account id" in str(caught.value)


def test_service_error_is_attributed_to_the_environment_file(tmp_path: Path):
    (tmp_path / "qa.py").write_text(
        "from zacatl_infra.config import presets\n"
        "SPEC = presets.zacatl_example_backend('dev', image={'tag': '1.0.0'}, scaling={'min_replicas': 3})\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_environments(tmp_path)
    assert caught.value.environment == "qa"
    assert "services[greetings-api]" in str(caught.value)


def test_file_name_must_match_environment_name(tmp_path: Path):
    (tmp_path / "qa.py").write_text((ROOT / "environments" / "dev.py").read_text())
    with pytest.raises(ConfigError, match="'dev' must match the file name 'qa.py'"):
        load_environments(tmp_path)


def test_file_without_environment_is_rejected(tmp_path: Path):
    (tmp_path / "qa.py").write_text("X = 1\n")
    with pytest.raises(ConfigError, match="must define ENVIRONMENT"):
        load_environments(tmp_path)


def test_unknown_environment_name_is_rejected():
    with pytest.raises(ConfigError, match="no file environments/nope.py"):
        load_environments(ROOT / "environments", only=["nope"])
