"""`synth.main` in a service repository: a team environment, a cdk.json that only names the app."""

from __future__ import annotations

from pathlib import Path

import pytest

from zacatl_infra.synth import Project, main

TEAM_ENV = """
from zacatl_infra.config import presets
ENVIRONMENT = presets.environment(
    "dev", name="dev", team="payments", account="111111111111", region="eu-west-1",
    availability_zones=("eu-west-1a", "eu-west-1b"), domain="dev.example.com",
    access={"admin_role_arns": ("arn:aws:iam::111111111111:role/zacatl-platform-admin",)},
    dns={"hosted_zone_id": "Z01234567DEVZONE0001"}, gitops={"repo_url": "https://github.com/x/y.git"},
    services=(presets.service("dev", name="billing-worker", image={"tag": "1.0.0"}, container_port=3000,
                              health={"readiness_path": "/ready"}, scaling=SCALING),))
"""


def _repository(tmp_path: Path, scaling: str) -> Path:
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "dev.py").write_text(TEAM_ENV.replace("SCALING", scaling))
    (tmp_path / "cdk.json").write_text('{"app": "python app.py"}\n')
    return tmp_path


def test_fails_with_exit_2_naming_environment_and_field_and_writes_nothing(tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]):
    root = _repository(tmp_path, '{"min_replicas": 5, "max_replicas": 2}')
    assert main([], root) == 2
    err = capsys.readouterr().err
    assert "environment 'dev' is invalid" in err and "nothing was written" in err
    assert sorted(p.name for p in root.iterdir()) == ["cdk.json", "environments"]


def test_fails_with_exit_2_on_an_unknown_environment(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    root = _repository(tmp_path, '{"min_replicas": 1, "max_replicas": 2}')
    assert main(["qa"], root) == 2
    assert "no file environments/qa.py" in capsys.readouterr().err


def test_cdk_json_without_context_gives_no_context(tmp_path: Path):
    assert Project(_repository(tmp_path, "{}")).cdk_context() == {}
    (tmp_path / "cdk.json").write_text('{"app": "x", "context": {"@aws-cdk/core:target-partitions": ["aws"]}}')
    assert Project(tmp_path).cdk_context() == {"@aws-cdk/core:target-partitions": ["aws"]}
