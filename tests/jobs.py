"""The test run's slow outside processes, each started once and in the background.

Both CLIs synthesize every environment once (`cdk synth` with the built-in CloudFormation
validation and cdk-nag, exactly what `cdk deploy` runs; `cdk8s synth` for the workload layer); their
output IS the session's `cloud_dir` and `workloads_dir`, so no environment is synthesized twice.
One more process writes the variants tests build beyond the environments (tests/variants.py: a
DocumentDB environment, prod with AWS callers, a team's stack, the local Dockerfile). The checkers
then start once each over all of it: checkov (every framework in one process), cfn-lint; and the
wheel is built. They run on the second core while pytest runs the in-process tests;
`tests/conftest.py` starts only the jobs the selected tests need and orders the tests that wait
for a job after those that do not.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKOV = ROOT / ".tools" / "checkov" / "bin" / "checkov"
CFN_LINT = Path(sys.executable).parent / "cfn-lint"
EXAMPLE = ROOT / "examples" / "two-services"
#: Nice value of the jobs whose tests run last (wheel, example, scaffold): they have the most slack.
NICE = 5


def cli_env() -> dict[str, str]:
    """No AWS credentials at all: synth must need none. Node 24 and the venv first on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k not in ("CDK_OUTDIR", "CDK8S_OUTDIR")}
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env["AWS_CONFIG_FILE"] = env["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
    env["PATH"] = f"{ROOT / 'node_modules' / '.bin'}:{ROOT / '.venv' / 'bin'}:{env['PATH']}"
    return env


@dataclass(frozen=True)
class CliRun:
    """One CLI run: where it wrote and what it said."""

    outdir: Path
    result: subprocess.CompletedProcess[str]

    def check(self) -> Path:
        errors = "\n".join(line for line in self.result.stderr.splitlines() if not line.startswith("import time:"))
        assert self.result.returncode == 0, f"{' '.join(self.result.args[:2])} failed:\n{errors}"
        return self.outdir

    def imported(self) -> set[str]:
        """Top-level modules the app imported (from ``-X importtime`` lines on stderr)."""
        return {line.rsplit("|", 1)[1].strip().split(".")[0]
                for line in self.result.stderr.splitlines() if line.startswith("import time:") and "|" in line}


def cdk_synth(outdir: Path) -> CliRun:
    result = subprocess.run(
        ["cdk", "synth", "--output", str(outdir), "--no-version-reporting", "--no-notices", "--quiet"],
        cwd=ROOT, env=cli_env(), capture_output=True, text=True, timeout=600)
    return CliRun(outdir, result)


def cdk8s_synth(outdir: Path) -> CliRun:
    """`cdk8s synth` as cdk8s.yaml configures it. PYTHONPROFILEIMPORTTIME makes app.py list every
    module it imports on stderr (the CLI passes it through), so tests/test_imports.py can prove what
    this path loads without rendering the environments a second time."""
    result = subprocess.run(["cdk8s", "synth", "--no-check-upgrade", "--output", str(outdir)],
                            cwd=ROOT, env={**cli_env(), "PYTHONPROFILEIMPORTTIME": "1"},
                            capture_output=True, text=True, timeout=600)
    return CliRun(outdir, result)


@dataclass(frozen=True)
class Variants:
    """Where tests/variants.py wrote each variant, and the variants that failed to build."""

    outdir: Path
    failed: dict[str, str]

    def folder(self, name: str) -> Path:
        """The variant's folder; fails the calling test with the variant's own error if it failed."""
        assert name not in self.failed, f"variant {name!r} failed to build:\n{self.failed[name]}"
        return self.outdir / name


def variants(outdir: Path) -> Variants:
    """tests/variants.py in one process (one Python start, one jsii kernel for every variant)."""
    from .variants import FAILED

    result = subprocess.run([sys.executable, "-m", "tests.variants", str(outdir)], cwd=ROOT, env=cli_env(),
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"tests/variants.py failed:\n{result.stderr}"
    return Variants(outdir, json.loads((outdir / FAILED).read_text()))


def checkov(workloads_dir: Path, cloud_dir: Path, variants_dir: Path) -> dict[str, list[dict]]:
    """check_type ("kubernetes", "cloudformation", "dockerfile") -> checkov's reports, from ONE
    checkov process.

    checkov's start-up (loading every check of every framework) takes about 2.5 s of CPU per run, so
    every framework runs at once over the folder that holds both layers and the variants: the
    Kubernetes runner skips the templates (no apiVersion/kind), the CloudFormation runner the
    manifests (no Resources), the Dockerfile runner everything but Dockerfiles;
    tests/checks/test_checkov.py proves each framework judged only its own files, and each test
    reads its own folder's part (tests/checks/reports.py). (checkov 3.3 with two -d flags repeats
    the first folder's report, hence one common parent.)
    """
    assert CHECKOV.exists(), f"{CHECKOV} is missing: run `make setup`"
    assert workloads_dir.parent == cloud_dir.parent == variants_dir.parent, "one folder for one checkov run"
    result = subprocess.run(
        [str(CHECKOV), "-d", str(cloud_dir.parent), "--framework", "kubernetes", "cloudformation", "dockerfile",
         "--skip-download", "--compact", "-o", "json"],
        env={**os.environ, "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true"}, capture_output=True, text=True, timeout=600)
    assert result.stdout, result.stderr
    report = json.loads(result.stdout)
    by_type: dict[str, list[dict]] = {"kubernetes": [], "cloudformation": [], "dockerfile": []}
    for r in report if isinstance(report, list) else [report]:
        by_type.setdefault(r["check_type"], []).append(r)
    return by_type


def cfn_lint(templates: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CFN_LINT), "--format", "json", *map(str, templates)],
                          capture_output=True, text=True, timeout=600)


@dataclass(frozen=True)
class Scaffold:
    """A service repository scaffolded by `zacatl-infra init deploy`, and its own commands' runs."""

    folder: Path
    #: The scaffold's own `make synth test` (its first run records its snapshots).
    built: subprocess.CompletedProcess[str]
    #: `cdk synth --output <cdk_outdir>` in the scaffold, after `built`.
    cdk: subprocess.CompletedProcess[str]
    cdk_outdir: Path


def scaffold_make(folder: Path, *targets: str) -> subprocess.CompletedProcess[str]:
    """The scaffold's own Makefile targets, with its set-up stamps marked done (`make -o`): its .venv
    is this project's and its Node toolchain this project's node_modules."""
    env = {k: v for k, v in cli_env().items() if k != "CI"}  # outside CI, a first run records snapshots
    return subprocess.run(["make", "-o", ".venv/.installed", "-o", "node_modules/.installed", *targets],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=300)


def scaffold(service_root: Path) -> Scaffold:
    """`zacatl-infra init deploy` at a service's root (its package.json and src/), then the
    scaffold's `make synth test`, then `cdk synth` in it: one after the other, as they share files."""
    (service_root / "src").mkdir(parents=True)
    (service_root / "package.json").write_text('{"name": "billing-worker"}\n')
    result = subprocess.run([sys.executable, "-m", "zacatl_infra.cli", "init", "deploy", "--team", "payments",
                             "--service", "billing-worker",
                             "--requirement", "zacatl-infra @ git+https://git.example.com/platform/zacatl-infra@v0.1.0"], cwd=service_root, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    folder = service_root / "deploy"
    (folder / ".venv").symlink_to(ROOT / ".venv")
    built = scaffold_make(folder, "synth", "test")
    outdir = service_root.parent / "scaffold-cdk.out"
    cdk = subprocess.run(["cdk", "synth", "--output", str(outdir), "--no-version-reporting", "--no-notices",
                          "--quiet"], cwd=folder, env=cli_env(), capture_output=True, text=True, timeout=300)
    return Scaffold(folder, built, cdk, outdir)


def build_wheel(outdir: Path) -> Path:
    """The wheel `pip install` would build from this project (no dependencies)."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(outdir), str(ROOT)],
                   check=True, capture_output=True, text=True, timeout=600)
    (built,) = outdir.glob("zacatl_infra-*.whl")
    return built


@dataclass(frozen=True)
class ExampleRuns:
    """examples/two-services run from the wheel in a fresh venv: its `python app.py` and its pytest."""

    venv: Path
    folder: Path
    synth: subprocess.CompletedProcess[str]
    tests: subprocess.CompletedProcess[str]


def example_from_wheel(wheel: Path, work: Path) -> ExampleRuns:
    """A fresh venv holding the wheel only; the project's pinned dependencies are seen through a .pth
    line naming this project's site-packages (offline, fast). A .pth line adds a folder without
    running the .pth files in it, so the editable install of this checkout stays invisible and the
    example can only import the wheel. Then, in a copy of the example, `python app.py` and its own
    pytest (CI=1: a missing snapshot is a failure there, never silently recorded)."""
    import shutil
    import sysconfig

    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                  check=True, capture_output=True, text=True).stdout.strip())
    (purelib / "zz_project_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    "--no-index", str(wheel)], check=True, capture_output=True, text=True, timeout=240)
    folder = work / "example" / "two-services"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("dist", "cdk.out", "cdk8s.out", "__pycache__",
                                                                    ".pytest_cache", ".venv"))
    synth = run_in_venv(venv, folder, "app.py")
    tests = run_in_venv(venv, folder, "-m", "pytest", "-q", "-p", "no:cacheprovider")
    return ExampleRuns(venv, folder, synth, tests)


def run_in_venv(venv: Path, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**cli_env(), "CI": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("ZACATL_UPDATE_SNAPSHOTS", None)
    return subprocess.run([str(venv / "bin" / "python"), *args], cwd=folder, env=env, capture_output=True,
                          text=True, timeout=300)


class Jobs:
    """Named background jobs with dependencies; ``result(name)`` waits for one and re-raises its error.

    Each job's run (from its inputs being ready to its end) and the time pytest's own thread spent
    waiting for it are kept, for ``summary()``: where a run's wall time goes."""

    def __init__(self) -> None:
        # One thread per job: a job waiting for its inputs holds a thread, never a core.
        self._pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="test-job")
        self._futures: dict[str, Future] = {}
        self._t0 = time.monotonic()
        self._ran: dict[str, tuple[float, float]] = {}
        self._waited: dict[str, float] = {}

    def start(self, name: str, fn: Callable[..., object], *needs: str, low_priority: bool = False) -> None:
        """Runs ``fn(*results of needs)`` once; a job whose dependency failed fails the same way.

        ``low_priority``: the job and the processes it starts run at nice ``NICE``, yielding the
        cores to pytest's own thread and the jobs it will wait for first. Default: False."""
        if name not in self._futures:
            self._futures[name] = self._pool.submit(self._run, name, fn, needs, low_priority)

    def _run(self, name: str, fn: Callable[..., object], needs: tuple[str, ...], low_priority: bool) -> object:
        inputs = [self._futures[n].result() for n in needs]
        if low_priority:
            # Linux: the nice value is a thread's, and the processes it starts inherit it.
            os.setpriority(os.PRIO_PROCESS, 0, NICE)
        began = time.monotonic()
        try:
            return fn(*inputs)
        finally:
            self._ran[name] = (began - self._t0, time.monotonic() - self._t0)

    def result(self, name: str) -> object:
        future = self._futures[name]
        if not future.done() and threading.current_thread() is threading.main_thread():
            began = time.monotonic()
            try:
                return future.result()
            finally:
                self._waited[name] = self._waited.get(name, 0.0) + time.monotonic() - began
        return future.result()

    def summary(self) -> str:
        """One line per job: when it ran (seconds since the session began) and how long pytest waited for it."""
        return "\n".join(f"{name:14} {began:6.1f} s -> {ended:6.1f} s   pytest waited {self._waited.get(name, 0.0):5.1f} s"
                         for name, (began, ended) in sorted(self._ran.items(), key=lambda item: item[1]))

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
