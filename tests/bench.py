"""`make bench`: full synth of every environment, both layers, against the floor of the same process
loading aws-cdk-lib and cdk8s and synthesizing one trivial object each.

Runs interleaved (floor, full, floor, full, ...) in fresh processes so machine noise hits both
alike; prints medians, their ratio and peak memory. Exits 1 when full synth exceeds the target.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
TARGET_RATIO = 2.0

FLOOR = """
import tempfile, aws_cdk as cdk, cdk8s, cdk8s_plus_27 as kplus
from aws_cdk import aws_sns as sns
app = cdk.App(outdir=tempfile.mkdtemp())
sns.Topic(cdk.Stack(app, "Floor"), "Topic")
app.synth()
k = cdk8s.App(outdir=tempfile.mkdtemp())
kplus.ConfigMap(cdk8s.Chart(k, "floor"), "Config", data={"a": "b"})
k.synth()
"""

FULL = """
import tempfile
from pathlib import Path
from zacatl_infra.config import load_environments
from zacatl_infra.synth import Project, render_workloads, synth_cloud
project = Project(Path({root!r}))
envs = load_environments(project.environments_dir)
synth_cloud(envs, Path(tempfile.mkdtemp()), project.cdk_context())
render_workloads(envs, Path(tempfile.mkdtemp()))
"""


def _run(code: str) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of the Python process.

    The jsii node child it talks to is not waited for by Python, so the kernel does not fold its
    peak into these figures: read them as the Python side's memory, not the whole synth's.
    """
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=tempfile.gettempdir(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"benchmark run failed:\n{proc.stderr.read().decode() if proc.stderr else ''}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> int:
    floor, full = [], []
    for _ in range(RUNS):
        floor.append(_run(FLOOR))
        full.append(_run(FULL.format(root=str(ROOT))))
    floor_s = statistics.median(t for t, _ in floor)
    full_s = statistics.median(t for t, _ in full)
    ratio = full_s / floor_s
    print(f"runs each          {RUNS} (interleaved)")
    print(f"floor   median     {floor_s:6.2f} s   python peak {max(m for _, m in floor):6.0f} MiB")
    print(f"full    median     {full_s:6.2f} s   python peak {max(m for _, m in full):6.0f} MiB")
    print(f"ratio   full/floor {ratio:6.2f}   (target <= {TARGET_RATIO})")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
