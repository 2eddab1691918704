"""`make bench`: what a synth costs, against an honest floor, and how the cost grows.

- **floor**: a fresh process loads aws-cdk-lib, cdk8s and cdk8s-plus-27 and synthesizes one trivial
  object in each, with exactly the settings `python app.py` uses (cdk.json context, analytics off,
  the CDK's built-in CloudFormation validation off, as `synth_cloud` sets them).
- **full**: a fresh process runs `python app.py`'s entry point on a scratch copy of this project
  (every environment, both layers, the atomic dist/ swap; cdk-nag runs on the `cdk deploy` path only).
- **skeleton**: not a target, a reference that makes the floor's meaning plain: the floor plus, per
  cloud environment of the project, only the two aws-cdk-lib L2s the product cannot do without (an
  ``ec2.Vpc`` and an ``aws_eks_v2.Cluster`` with its kubectl provider and one Helm chart), with the
  same settings as ``python app.py`` (asset staging off). Its ratio to the floor is the part of the
  2.0x budget that those two constructs alone consume before any IAM, KMS, alarm, backup or
  Kubernetes object is added.
- **memory**: the process tree of each run is sampled every 10 ms; for the Python process and for
  the Node process of the jsii kernel it reports the peak resident set (VmHWM from /proc, the
  kernel's own high-water mark, read until the process exits), and the peak of their sum.
- **config error**: wall time until `python app.py` reports an invalid environment (exit 2).
- **scaling**: synthetic environments made with the presets (written to a scratch project, never
  committed): one environment with 1, 10 and 50 services, and 4 and 16 environments of one service.
  Marginal cost per service = (t50 - t1) / 49, per environment = (t16 - t4) / 12.

Runs interleave (floor, full, floor, full, ...) so machine noise hits both alike; medians are
printed. It is a benchmark, not a test: it prints the figures and exits 1 only when the ratio or a
marginal cost exceeds the target, so `make bench` can gate a branch by hand.
Environment: BENCH_RUNS (default 5 for floor/full, 3 per scaling point), BENCH_SCALING=0 skips the
scaling table.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
SCALING_RUNS = int(os.environ.get("BENCH_SCALING_RUNS", "3"))
#: Targets from issue 10: full synth at most 2x the floor; marginal costs in ms.
TARGET_RATIO = 2.0
TARGET_MS_PER_SERVICE = 20.0
TARGET_MS_PER_ENVIRONMENT = 150.0
TARGET_CONFIG_ERROR_S = 0.3

FLOOR = """
import json, sys, tempfile
import aws_cdk as cdk, cdk8s, cdk8s_plus_27 as kplus
from aws_cdk import aws_sns as sns
context = json.load(open(sys.argv[1]))["context"]
# The settings of zacatl_infra.synth.synth_cloud when `python app.py` calls it.
app = cdk.App(outdir=tempfile.mkdtemp(), context=context, analytics_reporting=False,
              builtin_cloud_formation_validation=False)
sns.Topic(cdk.Stack(app, "Floor"), "Topic")
app.synth()
k = cdk8s.App(outdir=tempfile.mkdtemp())
kplus.ConfigMap(cdk8s.Chart(k, "floor"), "Config", data={"a": "b"})
k.synth()
"""

#: The floor plus VPC + EKS (kubectl provider, one Helm chart) per cloud environment; argv[2] = how many.
SKELETON = FLOOR.replace("sns.Topic(cdk.Stack(app, \"Floor\"), \"Topic\")\n", """\
sns.Topic(cdk.Stack(app, "Floor"), "Topic")
from aws_cdk import aws_ec2 as ec2, aws_eks_v2 as eks
from aws_cdk.lambda_layer_kubectl_v36 import KubectlV36Layer
for i in range(int(sys.argv[2])):
    stack = cdk.Stack(app, f"Skeleton{i}", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    stack.node.set_context("aws:cdk:disable-asset-staging", True)  # as python app.py: no asset copies
    vpc = ec2.Vpc(stack, "Vpc", max_azs=3)
    layer = KubectlV36Layer(stack, "KubectlLayer")
    cluster = eks.Cluster(stack, "Cluster", version=eks.KubernetesVersion.V1_34, vpc=vpc,
                          kubectl_provider_options=eks.KubectlProviderOptions(kubectl_layer=layer))
    cluster.add_helm_chart("ArgoCd", chart="argo-cd", repository="https://argoproj.github.io/argo-helm",
                           version="10.1.1")
""")

#: `python app.py` itself, on a scratch project (app.py calls exactly this).
FULL = """
import sys
from pathlib import Path
from zacatl_infra.synth import main
sys.exit(main([], Path(sys.argv[1])))
"""

SYNTHETIC_ENVIRONMENT = '''
from zacatl_infra.config import presets

ENVIRONMENT = presets.environment(
    "staging",
    name={name!r},
    account="{account:012d}",
    region="eu-west-1",
    availability_zones=("eu-west-1a", "eu-west-1b", "eu-west-1c"),
    domain="{name}.bench.example.com",
    alerts={{"emails": ("platform@bench.example.com",)}},
    access={{"admin_role_arns": ("arn:aws:iam::{account:012d}:role/admin",)}},
    dns={{"hosted_zone_id": "Z0123456789ABCDEFGHIJ"}},
    gitops={{"repo_url": "https://github.com/zacatl/bench.git"}},
    services=tuple(
        presets.zacatl_example_backend("staging", name=f"svc-{{i:02d}}", image={{"tag": "1.0.0"}},
                                       database={{"name": f"db{{i:02d}}", "egress_cidrs": ("192.168.248.0/21",)}})
        for i in range({services})
    ),
)
'''


@dataclass(frozen=True)
class Run:
    seconds: float
    python_mib: float
    node_mib: float
    tree_mib: float  # peak of the summed resident sets of the whole tree at one sample


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(c) for c in text.split()]


def _status(pid: int) -> dict[str, str]:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    return dict(line.split(":", 1) for line in lines if ":" in line)


def _is_node(pid: int) -> bool:
    """A Node process (the `node` npm package's launcher or the jsii kernel it starts); their
    thread-named ``Name`` is "MainThread", so the executable is read from the command line."""
    try:
        argv0 = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0", 1)[0]
    except OSError:
        return False
    return argv0.rsplit(b"/", 1)[-1] == b"node"


def _kib(value: str | None) -> int:
    return int(value.split()[0]) if value else 0


def _run(code: str, arg: Path, expect_rc: int = 0, *more: str) -> Run:
    """Runs ``code`` in a fresh interpreter and samples its process tree until it exits."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, str(arg), *more], cwd=tempfile.gettempdir(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peaks = {"python": 0, "node": 0, "tree": 0}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            tree, stack = 0, [proc.pid]
            while stack:
                pid = stack.pop()
                status = _status(pid)
                if not status:
                    continue
                stack += _children(pid)
                tree += _kib(status.get("VmRSS"))
                role = "python" if pid == proc.pid else "node" if _is_node(pid) else None
                if role:  # per process: the launcher and the kernel are two Node processes, the kernel is the big one
                    peaks[role] = max(peaks[role], _kib(status.get("VmHWM")))
            peaks["tree"] = max(peaks["tree"], tree)
            done.wait(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode != expect_rc:
        raise SystemExit(f"benchmark run exited {proc.returncode}, not {expect_rc}:\n{err.decode()}")
    return Run(elapsed, peaks["python"] / 1024, peaks["node"] / 1024, peaks["tree"] / 1024)


def _scratch_project(parent: Path, name: str, environments: dict[str, str] | None = None) -> Path:
    """A project folder with cdk.json and either the committed environments or ``environments``."""
    root = parent / name
    root.mkdir()
    shutil.copy(ROOT / "cdk.json", root / "cdk.json")
    if environments is None:
        shutil.copytree(ROOT / "environments", root / "environments")
    else:
        (root / "environments").mkdir()
        for env_name, text in environments.items():
            (root / "environments" / f"{env_name}.py").write_text(text)
    return root


def _synthetic(environments: int, services: int) -> dict[str, str]:
    return {f"bench{e:02d}": textwrap.dedent(SYNTHETIC_ENVIRONMENT).format(
        name=f"bench{e:02d}", account=100000000000 + e, services=services) for e in range(environments)}


def _cloud_environment_count() -> int:
    """How many of the committed environments have a cloud layer (the skeleton builds as many)."""
    from zacatl_infra.config.loader import load_environments

    return sum(not env.is_local for env in load_environments(ROOT / "environments"))


def _median(runs: list[Run]) -> float:
    return statistics.median(r.seconds for r in runs)


def main() -> int:
    failed = []
    with tempfile.TemporaryDirectory(prefix="zacatl-bench-") as tmp:
        scratch = Path(tmp)
        cdk_json = ROOT / "cdk.json"
        floor, full, skeleton = [], [], []
        cloud_envs = str(_cloud_environment_count())
        for i in range(RUNS):
            floor.append(_run(FLOOR, cdk_json))
            full.append(_run(FULL, _scratch_project(scratch, f"full-{i}")))
            skeleton.append(_run(SKELETON, cdk_json, 0, cloud_envs))
        floor_s, full_s = _median(floor), _median(full)
        ratio = full_s / floor_s
        print(f"runs each            {RUNS} (interleaved, fresh processes; medians)")
        for label, runs, seconds in (("floor", floor, floor_s), ("full", full, full_s)):
            print(f"{label:<6} wall {seconds:6.2f} s   peak MiB: python {max(r.python_mib for r in runs):5.0f}"
                  f"   node {max(r.node_mib for r in runs):5.0f}   tree {max(r.tree_mib for r in runs):5.0f}")
        print(f"ratio  full/floor {ratio:6.2f}     (target <= {TARGET_RATIO})")
        print(f"reference: floor + VPC + EKS (+1 Helm chart) x {cloud_envs} cloud environments, nothing else: "
              f"{_median(skeleton):.2f} s = {_median(skeleton) / floor_s:.2f} x the floor")
        if ratio > TARGET_RATIO:
            failed.append("ratio")

        # A config error: `python app.py` on a project whose staging sets min_replicas above max.
        broken = _scratch_project(scratch, "broken")
        staging = broken / "environments" / "staging.py"
        staging.write_text(staging.read_text().replace(
            'image={"tag": "1.4.0"}', 'image={"tag": "1.4.0"}, scaling={"min_replicas": 9, "max_replicas": 2}'))
        error_s = _median([_run(FULL, broken, expect_rc=2) for _ in range(RUNS)])
        print(f"config error reported in {error_s:5.2f} s   (target < {TARGET_CONFIG_ERROR_S})")
        if error_s >= TARGET_CONFIG_ERROR_S:
            failed.append("config error")

        if os.environ.get("BENCH_SCALING", "1") != "0":
            points = {"1 env x 1 svc": (1, 1), "1 env x 10 svc": (1, 10), "1 env x 50 svc": (1, 50),
                      "4 env x 1 svc": (4, 1), "16 env x 1 svc": (16, 1)}
            seconds: dict[str, float] = {}
            print(f"\nscaling ({SCALING_RUNS} runs each, synthetic environments from the presets)")
            print(f"{'shape':<16} {'wall s':>7} {'python MiB':>11} {'node MiB':>9}")
            for label, (envs, services) in points.items():
                runs = [_run(FULL, _scratch_project(scratch, f"{label.replace(' ', '')}-{i}", _synthetic(envs, services)))
                        for i in range(SCALING_RUNS)]
                seconds[label] = _median(runs)
                print(f"{label:<16} {seconds[label]:7.2f} {max(r.python_mib for r in runs):11.0f} "
                      f"{max(r.node_mib for r in runs):9.0f}")
            per_service = (seconds["1 env x 50 svc"] - seconds["1 env x 1 svc"]) / 49 * 1000
            per_environment = (seconds["16 env x 1 svc"] - seconds["4 env x 1 svc"]) / 12 * 1000
            print(f"marginal per service      {per_service:6.1f} ms   (target <= {TARGET_MS_PER_SERVICE:.0f})")
            print(f"marginal per environment  {per_environment:6.1f} ms   (target <= {TARGET_MS_PER_ENVIRONMENT:.0f})")
            if per_service > TARGET_MS_PER_SERVICE:
                failed.append("per service")
            if per_environment > TARGET_MS_PER_ENVIRONMENT:
                failed.append("per environment")
    if failed:
        print(f"\nabove target: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
