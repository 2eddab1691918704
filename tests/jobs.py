"""The test run's slow outside processes, each started once and in the background.

Both CLIs synthesize every environment once (`cdk synth` with the built-in CloudFormation
validation and cdk-nag, exactly what `cdk deploy` runs; `cdk8s synth` for the workload layer); their
output IS the session's `cloud_dir` and `workloads_dir`, so no environment is synthesized twice.
The checkers then start once each over every environment: checkov (both frameworks in one
process), cfn-lint; and the wheel is built. They run on the second core while pytest runs the in-process tests;
`tests/conftest.py` starts only the jobs the selected tests need and orders the tests that wait
for a job after those that do not.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKOV = ROOT / ".tools" / "checkov" / "bin" / "checkov"
CFN_LINT = Path(sys.executable).parent / "cfn-lint"


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


def checkov(workloads_dir: Path, cloud_dir: Path) -> dict[str, list[dict]]:
    """check_type ("kubernetes", "cloudformation") -> checkov's reports, from ONE checkov process.

    checkov's start-up (loading every check of every framework) took about 2.2 s of each run, so
    both frameworks run at once over the folder that holds both layers: the Kubernetes runner skips
    the templates (no apiVersion/kind) and the CloudFormation runner the manifests (no Resources);
    tests/checks/test_checkov.py proves each framework judged only its own layer. (checkov 3.3 with
    two -d flags repeats the first folder's report, hence one common parent.)
    """
    assert CHECKOV.exists(), f"{CHECKOV} is missing: run `make setup`"
    assert workloads_dir.parent == cloud_dir.parent, "both layers must sit in one folder for one checkov run"
    result = subprocess.run(
        [str(CHECKOV), "-d", str(cloud_dir.parent), "--framework", "kubernetes", "cloudformation",
         "--skip-download", "--compact", "-o", "json"],
        env={**os.environ, "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true"}, capture_output=True, text=True, timeout=600)
    assert result.stdout, result.stderr
    report = json.loads(result.stdout)
    by_type: dict[str, list[dict]] = {"kubernetes": [], "cloudformation": []}
    for r in report if isinstance(report, list) else [report]:
        by_type.setdefault(r["check_type"], []).append(r)
    return by_type


def cfn_lint(templates: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CFN_LINT), "--format", "json", *map(str, templates)],
                          capture_output=True, text=True, timeout=600)


def build_wheel(outdir: Path) -> Path:
    """The wheel `pip install` would build from this project (no dependencies)."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(outdir), str(ROOT)],
                   check=True, capture_output=True, text=True, timeout=600)
    (built,) = outdir.glob("zacatl_infra-*.whl")
    return built


class Jobs:
    """Named background jobs with dependencies; ``result(name)`` waits for one and re-raises its error."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=6, thread_name_prefix="test-job")
        self._futures: dict[str, Future] = {}

    def start(self, name: str, fn: Callable[..., object], *needs: str) -> None:
        """Runs ``fn(*results of needs)`` once; a job whose dependency failed fails the same way."""
        if name not in self._futures:
            self._futures[name] = self._pool.submit(lambda: fn(*(self.result(n) for n in needs)))

    def result(self, name: str) -> object:
        return self._futures[name].result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
