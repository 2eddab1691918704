"""Fixtures of the local-development tests: each local environment's files rendered once per run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from zacatl_infra.config import EnvironmentConfig, ServiceSpec
from zacatl_infra.local import render_local_files
from zacatl_infra.local import commands, compose

from ..conftest import ENVIRONMENTS

LOCAL_ENVIRONMENT_NAMES = sorted(name for name, env in ENVIRONMENTS.items() if env.is_local)


@dataclass(frozen=True)
class LocalFiles:
    """One local environment's rendered files (``render_local_files``) and the parsed YAML ones."""

    env: EnvironmentConfig
    root: Path

    @property
    def compose_dir(self) -> Path:
        return self.root / "compose"

    def compose(self, file: str) -> dict:
        return yaml.safe_load((self.compose_dir / file).read_text())

    @property
    def development(self) -> dict:
        return self.compose(compose.DEVELOPMENT_FILE)

    @property
    def production(self) -> dict:
        return self.compose(compose.PRODUCTION_FILE)

    @property
    def env_example(self) -> str:
        return (self.compose_dir / compose.ENV_EXAMPLE_FILE).read_text()

    @property
    def kind_config(self) -> dict:
        return yaml.safe_load((self.root / "kind" / commands.KIND_CONFIG_FILE).read_text())

    @property
    def makefile(self) -> str:
        return (self.root / "kind" / commands.MAKEFILE).read_text()

    def dockerfile(self, spec: ServiceSpec) -> Path:
        return self.compose_dir / f"{spec.name}.Dockerfile"


@pytest.fixture(scope="session")
def local_files(environments, tmp_path_factory) -> dict[str, LocalFiles]:
    rendered = {}
    for name in LOCAL_ENVIRONMENT_NAMES:
        root = tmp_path_factory.mktemp(f"local-{name}")
        render_local_files(environments[name], root)
        rendered[name] = LocalFiles(environments[name], root)
    return rendered


def deployment_container(workloads, env_name: str, spec: ServiceSpec) -> tuple[dict, dict]:
    """The rendered Deployment's pod spec and its single container, for the contract tests."""
    pod = workloads[env_name].one("Deployment", spec.name)["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    return pod, container
