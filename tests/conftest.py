"""Session fixtures: every environment is loaded once and each layer synthesized once per test run."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest
import yaml

from zacatl_infra.config import EnvironmentConfig, load_environments
from zacatl_infra.synth import Project, render_workloads, synth_cloud

ROOT = Path(__file__).resolve().parent.parent
#: Loaded once at collection so tests can be parametrized by environment; validation is cheap.
ENVIRONMENTS: dict[str, EnvironmentConfig] = {e.name: e for e in load_environments(ROOT / "environments")}
ENVIRONMENT_NAMES = sorted(ENVIRONMENTS)
CLOUD_ENVIRONMENT_NAMES = sorted(n for n, e in ENVIRONMENTS.items() if not e.is_local)


@dataclass(frozen=True)
class RenderedEnvironment:
    """One environment's workload layer as rendered: files by name and the parsed objects."""

    files: dict[str, str]

    @cached_property
    def objects(self) -> list[dict]:
        return [doc for text in self.files.values() for doc in yaml.safe_load_all(text) if doc]

    def find(self, kind: str, name: str | None = None) -> list[dict]:
        return [o for o in self.objects if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]

    def one(self, kind: str, name: str | None = None) -> dict:
        found = self.find(kind, name)
        assert len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"
        return found[0]


@pytest.fixture(scope="session")
def project() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="session")
def environments() -> dict[str, EnvironmentConfig]:
    return ENVIRONMENTS


@pytest.fixture(scope="session")
def workloads_dir(environments: dict[str, EnvironmentConfig], tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("dist")
    render_workloads(list(environments.values()), outdir)
    return outdir


@pytest.fixture(scope="session")
def workloads(workloads_dir: Path, environments: dict[str, EnvironmentConfig]) -> dict[str, RenderedEnvironment]:
    return {
        name: RenderedEnvironment(
            {p.name: p.read_text() for p in sorted((workloads_dir / name).glob("*.yaml"))}
        )
        for name in environments
    }


@pytest.fixture(scope="session")
def cloud_dir(environments: dict[str, EnvironmentConfig], project: Project,
              tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("cdk.out")
    synth_cloud(list(environments.values()), outdir, project.cdk_context())
    return outdir


@pytest.fixture(scope="session")
def templates(cloud_dir: Path, environments: dict[str, EnvironmentConfig]) -> dict[str, dict]:
    """CloudFormation template of each cloud environment, by environment name."""
    return {
        name: json.loads((cloud_dir / f"zacatl-{name}.template.json").read_text())
        for name, env in environments.items()
        if not env.is_local
    }
