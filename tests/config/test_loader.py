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


def _copy_environments(tmp_path: Path) -> Path:
    folder = tmp_path / "environments"
    folder.mkdir()
    for path in (ROOT / "environments").glob("*.py"):
        (folder / path.name).write_text(path.read_text())
    return folder


def _break(folder: Path, env: str, old: str, new: str) -> None:
    path = folder / f"{env}.py"
    text = path.read_text()
    assert old in text, (env, old)
    path.write_text(text.replace(old, new, 1))


def test_fails_reporting_every_invalid_environment_in_one_run(tmp_path: Path):
    folder = _copy_environments(tmp_path)
    _break(folder, "staging", 'account="222222222222"', 'account="2222"')
    _break(folder, "prod", 'domain="zacatl.example.com"', 'domain="zacatl..example.com"')
    _break(folder, "prod", '"eu-west-1c"', '"eu-west-1c", "eu-west-1c"')
    _break(folder, "prod", 'image={', 'scaling={"min_replicas": 1}, image={')
    with pytest.raises(ConfigError) as caught:
        load_environments(folder)
    message = str(caught.value)
    assert message.startswith("2 environments are invalid:")
    assert "environment 'staging' is invalid:\n  - field account: '2222' is not an AWS account id" in message
    # prod's field problem, a cross-field one (zones) and a prod invariant, all in the same report.
    assert "environment 'prod' is invalid:\n" in message
    assert "  - field domain: 'zacatl..example.com' is not a lowercase DNS name" in message
    assert "  - field availability_zones: ['eu-west-1c'] listed twice" in message
    assert "  - field services[greetings-api].scaling.min_replicas: prod requires" in message


def test_fails_naming_file_line_and_environment_of_an_exception_inside_the_file(tmp_path: Path):
    folder = _copy_environments(tmp_path)
    _break(folder, "dev", 'region="eu-west-1"', "region=REGION")
    _break(folder, "staging", "from zacatl_infra.config import presets\n",
           "from zacatl_infra.config import presets\n\nraise RuntimeError('vault lookup failed')\n")
    with pytest.raises(ConfigError) as caught:
        load_environments(folder)
    message = str(caught.value)
    assert "environment 'dev' is invalid:\n  - environments/dev.py (line 9) raised NameError: name 'REGION' is " \
           "not defined" in message
    assert "environments/staging.py (line 5) raised RuntimeError: vault lookup failed" in message


def test_fails_when_two_environments_share_a_domain(tmp_path: Path):
    folder = _copy_environments(tmp_path)
    _break(folder, "staging", 'domain="staging.zacatl.example.com"', 'domain="zacatl.example.com"')
    with pytest.raises(ConfigError) as caught:
        load_environments(folder)
    message = str(caught.value)
    assert "environment '(all environments)' is invalid" in message
    assert "field domain: environments 'prod' and 'staging' both use 'zacatl.example.com'" in message
    _break(folder, "staging", 'domain="zacatl.example.com"', 'domain="stage.zacatl.example.com"')
    assert len(load_environments(folder)) == len(list(folder.glob("*.py")))


def test_fails_when_two_environments_would_own_one_cluster_host(tmp_path: Path):
    folder = _copy_environments(tmp_path)
    # staging's service claims prod's host explicitly: both ALBs would answer for it.
    _break(folder, "staging", 'domain="staging.zacatl.example.com"', 'domain="zacatl.example.com"')
    with pytest.raises(ConfigError, match="greetings-api.zacatl.example.com' of environment 'staging' is already"):
        load_environments(folder)


def test_unknown_environment_name_suggests_the_nearest_file():
    with pytest.raises(ConfigError, match="no file environments/prd.py .*did you mean 'prod'"):
        load_environments(ROOT / "environments", only=["prd"])


def test_fails_on_an_unknown_tier_naming_the_environment(tmp_path: Path):
    folder = _copy_environments(tmp_path)
    _break(folder, "prod", 'presets.environment(\n    "prod"', 'presets.environment(\n    "production"')
    with pytest.raises(ConfigError) as caught:
        load_environments(folder)
    assert "environment 'prod' is invalid:\n  - field tier: 'production' is not a tier (tiers: ['local', 'dev', " \
           "'staging', 'prod']); did you mean 'prod'?" in str(caught.value)
