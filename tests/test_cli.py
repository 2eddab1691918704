"""`zacatl-infra init`: a service repository's deployment folder that synthesizes and tests on first run.

The scaffold is run against this checkout: its `.venv` is this project's (the library installed
editable), its Node toolchain this project's node_modules. Its own Makefile targets run, with the
set-up stamps marked done (`make -o`), since installing what this project already has proves nothing.

Layout, as the README tells a service team: `zacatl-infra init deploy` at the service's root (its
package.json and src/), so the deployment project is `deploy/` and the Dockerfile the root's.
"""

from __future__ import annotations

import json
import os
import runpy
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml

from zacatl_infra import snapshots
from zacatl_infra.cli import init, main, scaffold_files
from zacatl_infra.local import compose

from .conftest import ROOT
from .jobs import Scaffold
from .local.test_compose import VALIDATOR
from .local.test_container import _hadolint, _instructions
from .test_imports import CONSTRUCT_LIBRARIES, _run

SCAFFOLD = {".gitignore", "Makefile", "README.md", "app.py", "cdk.json", "cdk8s.yaml", "environments/dev.py",
            "environments/local.py", "package.json", "pytest.ini", "requirements.txt", "tests/test_snapshots.py"}
#: Written at the service's root, above the deployment folder: Docker's default names.
SERVICE_ROOT_FILES = {"Dockerfile", ".dockerignore"}


@pytest.fixture(scope="module")
def scaffold(scaffold_runs: Scaffold) -> Path:
    """The deployment folder `zacatl-infra init deploy` wrote (built in the background, tests/jobs.py)."""
    return scaffold_runs.folder


@pytest.fixture(scope="module")
def built(scaffold_runs: Scaffold) -> subprocess.CompletedProcess[str]:
    """The scaffold's own `make synth test`, run once for every test that reads its output."""
    return scaffold_runs.built


def test_init_writes_the_scaffold_into_an_empty_folder(scaffold: Path, built):
    written = {str(p.relative_to(scaffold)) for p in scaffold.rglob("*") if p.is_file() and ".venv" not in p.parts}
    generated = {p for p in written if p.startswith(("dist/", "cdk.out/", "tests/snapshots/"))}  # by `built`
    assert written - generated == SCAFFOLD
    root_files = {p.name for p in scaffold.parent.iterdir() if p.is_file()}
    assert root_files == SERVICE_ROOT_FILES | {"package.json"}, "the service's own package.json is left as it was"
    assert (scaffold.parent / "package.json").read_text() == '{"name": "billing-worker"}\n'
    assert json.loads((scaffold / "cdk.json").read_text()) == {"app": ".venv/bin/python app.py", "output": "cdk.out"}
    # The recipe app.py renders with names where this folder sits in the service's repository.
    assert 'ImageRecipe(deployment_dir="deploy")' in (scaffold / "app.py").read_text()


def test_init_refuses_to_overwrite_the_services_dockerfile_and_writes_nothing(tmp_path: Path):
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    with pytest.raises(FileExistsError, match=r"would overwrite \.\./Dockerfile; nothing was written"):
        init(tmp_path / "deploy", team="payments", service="billing-worker", requirement="zacatl-infra",
             service_root=tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["Dockerfile"]


def test_init_fails_for_a_service_root_that_does_not_hold_the_folder(tmp_path: Path):
    with pytest.raises(ValueError, match="is not inside it"):
        init(tmp_path / "deploy", team="payments", service="billing-worker", requirement="zacatl-infra",
             service_root=tmp_path / "elsewhere")


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path):
    (tmp_path / "Makefile").write_text("mine\n")
    with pytest.raises(FileExistsError, match="would overwrite Makefile"):
        init(tmp_path, team="payments", service="billing-worker", requirement="zacatl-infra")
    assert [p.name for p in tmp_path.iterdir()] == ["Makefile"] and (tmp_path / "Makefile").read_text() == "mine\n"


def test_init_command_needs_the_requirement_because_the_library_is_not_on_pypi(tmp_path: Path,
                                                                             capsys: pytest.CaptureFixture[str]):
    # A default of `zacatl-infra==<version>` would resolve on PyPI, where anyone may register the name.
    with pytest.raises(SystemExit) as exit_:
        main(["init", str(tmp_path), "--team", "payments"])
    assert exit_.value.code == 2 and "--requirement" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_init_command_exits_2_with_the_files_it_would_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    (tmp_path / "cdk.json").write_text("{}\n")
    assert main(["init", str(tmp_path), "--team", "payments", "--requirement", "zacatl-infra @ ./x.whl"]) == 2
    assert "would overwrite cdk.json; nothing was written" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["cdk.json"]


def test_init_fails_on_a_team_name_kubernetes_refuses():
    with pytest.raises(ValueError, match="team 'Payments_Team' is not a DNS-1123 label"):
        scaffold_files(team="Payments_Team", service="x", requirement="zacatl-infra")


def test_scaffold_pins_the_node_toolchain_this_project_locks():
    pinned = json.loads(scaffold_files(team="t", service="s", requirement="r")["package.json"])["devDependencies"]
    locked = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    assert pinned == {name: locked[f"node_modules/{name}"]["version"] for name in ("aws-cdk", "cdk8s-cli", "node")}
    assert pinned["node"].startswith("24.")


def test_scaffold_synthesizes_both_layers_in_its_own_names_and_its_tests_pass(scaffold: Path, built):
    assert built.returncode == 0, built.stdout + built.stderr
    assert sorted(p.name for p in (scaffold / "dist" / "dev").iterdir()) == ["00-namespace.yaml", "20-billing-worker.yaml"]
    assert "namespace: zacatl-dev-payments" in (scaffold / "dist" / "dev" / "20-billing-worker.yaml").read_text()
    assert (scaffold / "cdk.out" / "zacatl-dev-payments.template.json").exists()
    assert sorted(p.name for p in (scaffold / "tests" / "snapshots").iterdir()) == [
        "cloud-dev.json", "k8s-dev.yaml", "k8s-local.yaml"]

    # The recorded snapshots now guard the output: a changed setting is a difference (checked in
    # this process, through the same function the scaffold's test calls).
    env_file = scaffold / "environments" / "dev.py"
    original = env_file.read_text()
    env_file.write_text(original.replace("container_port=3000", "container_port=3001"))
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.delenv("ZACATL_UPDATE_SNAPSHOTS", raising=False)
            assert snapshots.compare(scaffold, scaffold / "tests" / "snapshots") == ["k8s-dev.yaml"]
    finally:
        env_file.write_text(original)


@pytest.mark.cli
def test_scaffold_cdk_cli_synthesizes_with_a_cdk_json_that_only_names_the_app(scaffold_runs: Scaffold):
    # `cdk synth --output <elsewhere>` in the scaffold (tests/jobs.py), after its `make synth test`.
    result = scaffold_runs.cdk
    assert result.returncode == 0, result.stderr
    assert [p.name for p in scaffold_runs.cdk_outdir.glob("*.template.json")] == ["zacatl-dev-payments.template.json"]



# --- issue 13 in the scaffold: the image, compose, kind --------------------------------------------------------

def _own_make_env() -> dict[str, str]:
    """The environment without the enclosing `make test`'s flags, so make's output is the scaffold's own."""
    return {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}


def _local_deployment(scaffold: Path) -> dict:
    docs = yaml.safe_load_all((scaffold / "dist" / "local" / "20-billing-worker.yaml").read_text())
    return next(d for d in docs if d and d["kind"] == "Deployment")


@pytest.mark.check
def test_scaffold_dockerfile_passes_hadolint_and_runs_as_the_deployment(scaffold: Path, built):
    dockerfile = scaffold.parent / "Dockerfile"
    result = _hadolint(dockerfile)
    assert result.returncode == 0, result.stdout + result.stderr
    # One source: the root's Dockerfile is the one synth renders for compose and kind from the same spec.
    assert dockerfile.read_text() == (scaffold / compose.COMPOSE_DIR / "billing-worker.Dockerfile").read_text()
    assert (scaffold.parent / ".dockerignore").read_text() == (
        scaffold / compose.COMPOSE_DIR / "billing-worker.Dockerfile.dockerignore").read_text()
    pod = _local_deployment(scaffold)["spec"]["template"]["spec"]
    (main_container,) = pod["containers"]
    runtime = dict(_instructions(dockerfile.read_text().split(" AS runtime", 1)[1]))
    security = main_container["securityContext"]
    assert runtime["USER"] == f"{security['runAsUser']}:{security['runAsGroup']}"
    assert runtime["EXPOSE"] == str(main_container["ports"][0]["containerPort"])
    assert main_container["readinessProbe"]["httpGet"]["path"] in runtime["HEALTHCHECK"]
    # The deployment folder holds no source: the ignore file keeps it out of the build context.
    assert "deploy" in (scaffold.parent / ".dockerignore").read_text().splitlines()
    # The scaffold's own test keeps them so: a port changed in the spec alone is a failure there.
    scaffold_tests = runpy.run_path(str(scaffold / "tests" / "test_snapshots.py"))
    scaffold_tests["test_the_services_dockerfile_is_the_one_its_spec_renders"]()
    env_file = scaffold / "environments" / "local.py"
    original = env_file.read_text()
    env_file.write_text(original.replace("container_port=3000", "container_port=3001"))
    try:
        with pytest.raises(AssertionError, match=r"\['Dockerfile'\] at .* differ from what environments/local.py"):
            scaffold_tests["test_the_services_dockerfile_is_the_one_its_spec_renders"]()
    finally:
        env_file.write_text(original)


def test_scaffold_renders_compose_files_that_build_the_service_from_its_root(scaffold: Path, built):
    assert built.returncode == 0, built.stdout + built.stderr
    compose_dir = scaffold / compose.COMPOSE_DIR
    for file in (compose.DEVELOPMENT_FILE, compose.PRODUCTION_FILE):
        document = yaml.safe_load((compose_dir / file).read_text())
        assert not [e.message for e in VALIDATOR.iter_errors(document)]
        build = document["services"]["billing-worker"]["build"]
        # Compose resolves the context from the file's folder: it must be the service's root.
        assert (compose_dir / build["context"]).resolve() == scaffold.parent.resolve()
        assert (compose_dir / build["context"] / build["dockerfile"]).is_file()
    assert (compose_dir / compose.ENV_EXAMPLE_FILE).is_file()


def test_scaffold_npm_scripts_run_the_rendered_compose_files_from_the_deployment_folder(scaffold: Path, built):
    assert built.returncode == 0, built.stdout + built.stderr
    scripts = json.loads((scaffold / "package.json").read_text())["scripts"]
    assert set(scripts) == {"docker:dev", "docker:prod", "docker:clean"}
    for script in scripts.values():
        for command in script.split(" && "):
            words = shlex.split(command)
            assert words[:2] == ["docker", "compose"]
            # npm runs a package's scripts in the folder of its package.json: the deployment folder.
            assert (scaffold / words[words.index("-f") + 1]).is_file(), command


def test_scaffold_make_local_up_and_down_resolve_to_the_rendered_kind_path(scaffold: Path, built):
    assert built.returncode == 0, built.stdout + built.stderr
    run = subprocess.run(["make", "--no-print-directory", "-n", "local-up", "local-down"], cwd=scaffold,
                         env=_own_make_env(), capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    commands = run.stdout.splitlines()
    build = next(c for c in commands if c.startswith("docker build "))
    words = build.split()
    assert (scaffold / words[words.index("-f") + 1]).is_file() and (scaffold / words[-1]).resolve() == scaffold.parent
    assert f"-t {_local_deployment(scaffold)['spec']['template']['spec']['containers'][0]['image']} " in build
    assert any(c.endswith(f"create cluster --name zacatl-local --config dist/local/kind/{'cluster.yaml'}")
               for c in commands)
    assert "kubectl --context kind-zacatl-local apply -f dist/local/" in commands
    assert commands[-1] == "kind delete cluster --name zacatl-local"


def test_scaffold_local_up_before_the_first_synth_says_what_to_run(tmp_path: Path):
    init(tmp_path, team="payments", service="billing-worker", requirement="zacatl-infra")
    run = subprocess.run(["make", "local-up"], cwd=tmp_path, env=_own_make_env(), capture_output=True, text=True,
                         timeout=60)
    assert run.returncode != 0 and "run make synth first" in run.stdout


def test_init_and_a_config_error_of_the_scaffold_load_no_construct_library(tmp_path: Path):
    # init needs no Node (jsii starts with cdk8s), and the scaffold's app.py, which imports
    # ImageRecipe, still reports a config error before the jsii kernel loads (tests/test_imports.py).
    report = _run(f"from zacatl_infra.cli import init\n"
                  f"init(Path({str(tmp_path / 'deploy')!r}), team='payments', service='billing-worker', "
                  f"requirement='zacatl-infra', service_root=Path({str(tmp_path)!r}))\nrc = 0")
    assert not set(report["loaded"]) & set(CONSTRUCT_LIBRARIES), report["loaded"]
    dev = tmp_path / "deploy" / "environments" / "dev.py"
    dev.write_text(dev.read_text().replace("container_port=3000", "container_port=0"))
    app = tmp_path / "deploy" / "app.py"
    report = _run(f"import runpy\ntry:\n    runpy.run_path({str(app)!r}, run_name='__main__')\n"
                  f"except SystemExit as exit:\n    rc = exit.code")
    assert report["rc"] == 2 and "container_port" in report["stderr"], report["stderr"]
    assert not set(report["loaded"]) & set(CONSTRUCT_LIBRARIES), report["loaded"]
