"""Session fixtures: every environment is loaded once and each layer synthesized once per test run.

The two layers come from the real CLIs (`cdk synth`, `cdk8s synth`), started in the background when
the session begins (tests/jobs.py); the checkers start as soon as their input exists. Tests that
wait for a background job run after those that need none, so pytest works while they run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest
import yaml

from zacatl_infra.config import EnvironmentConfig, load_environments
from zacatl_infra.synth import Project

from . import jobs

ROOT = Path(__file__).resolve().parent.parent
#: Loaded once at collection so tests can be parametrized by environment; validation is cheap
#: (pydantic only: zacatl_infra.config imports no construct library).
ENVIRONMENTS: dict[str, EnvironmentConfig] = {e.name: e for e in load_environments(ROOT / "environments")}
ENVIRONMENT_NAMES = sorted(ENVIRONMENTS)
CLOUD_ENVIRONMENT_NAMES = sorted(n for n, e in ENVIRONMENTS.items() if not e.is_local)
#: The C YAML loader when PyYAML was built with libyaml (about 10x faster on the CRDs and manifests).
YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: Same for writing (identical text to yaml.safe_dump on this project's templates, 4-5x faster).
YamlDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

#: Fixture -> the background job it waits for, and the rank of the tests that use it (higher runs later).
_JOB_OF_FIXTURE = {"workloads_dir": ("cdk8s", 1), "cdk8s_cli": ("cdk8s", 1), "cloud_dir": ("cdk", 2), "cdk_cli": ("cdk", 2),
                   "variants": ("variants", 2), "checkov_reports": ("checkov", 3), "cfn_lint_result": ("cfn_lint", 3),
                   "wheel_path": ("wheel", 3), "scaffold_runs": ("scaffold", 3),
                   "example_runs": ("example", 3)}


def load_all(text: str) -> list[dict]:
    """Every non-empty YAML document of ``text``, parsed with the C loader."""
    return [doc for doc in yaml.load_all(text, Loader=YamlLoader) if doc]


@dataclass(frozen=True)
class RenderedEnvironment:
    """One environment's workload layer as rendered: files by name and the parsed objects."""

    files: dict[str, str]

    @cached_property
    def objects(self) -> list[dict]:
        return [doc for text in self.files.values() for doc in load_all(text)]

    def find(self, kind: str, name: str | None = None) -> list[dict]:
        return [o for o in self.objects if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]

    def one(self, kind: str, name: str | None = None) -> dict:
        found = self.find(kind, name)
        assert len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"
        return found[0]


def _rank(item: pytest.Item) -> int:
    return max((rank for fixture, (_, rank) in _JOB_OF_FIXTURE.items() if fixture in item.fixturenames), default=0)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Stable: within a rank, tests keep their file order.
    items.sort(key=_rank)


@pytest.fixture(scope="session", autouse=True)
def background(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[jobs.Jobs]:
    """Starts, once, the jobs the selected tests need (a job's inputs are started with it)."""
    needed = {_JOB_OF_FIXTURE[f][0] for item in request.session.items for f in item.fixturenames if f in _JOB_OF_FIXTURE}
    runner = jobs.Jobs()
    out = tmp_path_factory.mktemp("synth")
    if needed & {"cdk", "checkov", "cfn_lint"}:
        runner.start("cdk", lambda: jobs.cdk_synth(out / "cdk.out"))
        runner.start("cloud_dir", lambda run: run.check(), "cdk")
    if needed & {"cdk8s", "checkov"}:
        runner.start("cdk8s", lambda: jobs.cdk8s_synth(out / "dist"))
        runner.start("workloads_dir", lambda run: run.check(), "cdk8s")
    if needed & {"variants", "checkov", "cfn_lint"}:
        runner.start("variants", lambda: jobs.variants(out / "variants"))
    if "checkov" in needed:
        runner.start("checkov", lambda w, c, v: jobs.checkov(w, c, v.outdir), "workloads_dir", "cloud_dir", "variants")
    if "cfn_lint" in needed:
        runner.start("cfn_lint", lambda c, v: jobs.cfn_lint(sorted([*c.glob("*.template.json"),
                                                                   *v.outdir.glob("*/*.template.json")])),
                     "cloud_dir", "variants")
    if needed & {"wheel", "example"}:
        runner.start("wheel", lambda: jobs.build_wheel(out / "wheel"), low_priority=True)
    if "example" in needed:
        example = tmp_path_factory.mktemp("example")  # outside `out`: checkov reads all of that
        runner.start("example", lambda wheel: jobs.example_from_wheel(wheel, example), "wheel", low_priority=True)
    if "scaffold" in needed:
        service_root = tmp_path_factory.mktemp("scaffold") / "billing"  # outside `out`: checkov reads all of that
        runner.start("scaffold", lambda: jobs.scaffold(service_root), low_priority=True)
    yield runner
    runner.close()
    global _BACKGROUND_SUMMARY
    _BACKGROUND_SUMMARY = runner.summary()


_BACKGROUND_SUMMARY = ""


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    # Where the wall time went: each background job's run, and how long pytest sat waiting for it.
    if _BACKGROUND_SUMMARY:
        terminalreporter.write_sep("-", "background jobs (tests/jobs.py)")
        terminalreporter.write_line(_BACKGROUND_SUMMARY)


@pytest.fixture(scope="session")
def project() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="session")
def environments() -> dict[str, EnvironmentConfig]:
    return ENVIRONMENTS


@pytest.fixture(scope="session")
def cdk8s_cli(background: jobs.Jobs) -> jobs.CliRun:
    """`cdk8s synth` of every environment (the workload layer), run once."""
    return background.result("cdk8s")


@pytest.fixture(scope="session")
def cdk_cli(background: jobs.Jobs) -> jobs.CliRun:
    """`cdk synth` of every stack (built-in validation and cdk-nag on, as for `cdk deploy`), run once."""
    return background.result("cdk")


@pytest.fixture(scope="session")
def workloads_dir(background: jobs.Jobs) -> Path:
    return background.result("workloads_dir")


@pytest.fixture(scope="session")
def workloads(workloads_dir: Path, environments: dict[str, EnvironmentConfig]) -> dict[str, RenderedEnvironment]:
    return {
        name: RenderedEnvironment(
            {p.name: p.read_text() for p in sorted((workloads_dir / name).glob("*.yaml"))}
        )
        for name in environments
    }


@pytest.fixture(scope="session")
def cloud_dir(background: jobs.Jobs) -> Path:
    return background.result("cloud_dir")


@pytest.fixture(scope="session")
def templates(cloud_dir: Path, environments: dict[str, EnvironmentConfig]) -> dict[str, dict]:
    """CloudFormation template of each cloud environment, by environment name."""
    return {
        name: json.loads((cloud_dir / f"zacatl-{name}.template.json").read_text())
        for name, env in environments.items()
        if not env.is_local
    }


@pytest.fixture(scope="session")
def variants(background: jobs.Jobs) -> jobs.Variants:
    """What tests/variants.py built (a DocumentDB environment, prod with AWS callers, a team's stack,
    the local Dockerfile), in the folder the single checkov and cfn-lint runs read."""
    return background.result("variants")


@pytest.fixture(scope="session")
def checkov_reports(background: jobs.Jobs) -> dict[str, list[dict]]:
    """check_type -> checkov reports over both layers of every environment and the variants (one
    checkov process); a test reads its own files' part with tests/checks/reports.py."""
    return background.result("checkov")


@pytest.fixture(scope="session")
def wheel_path(background: jobs.Jobs) -> Path:
    """The project's wheel, built once (pip wheel --no-deps)."""
    return background.result("wheel")


@pytest.fixture(scope="session")
def scaffold_runs(background: jobs.Jobs) -> jobs.Scaffold:
    """`zacatl-infra init deploy` in a service repository, its own `make synth test` and its `cdk
    synth`, run once in the background (tests/test_cli.py asserts on them)."""
    return background.result("scaffold")


@pytest.fixture(scope="session")
def example_runs(background: jobs.Jobs) -> jobs.ExampleRuns:
    """examples/two-services from the wheel in a fresh venv: its synth and its tests, run once in the background."""
    return background.result("example")


@pytest.fixture(scope="session")
def cfn_lint_result(background: jobs.Jobs):
    """cfn-lint's run over every environment's and every variant's template (one process)."""
    return background.result("cfn_lint")
