"""`make bench` (first part): where one full synth spends its time, per phase and per construct.

One process synthesizes every committed environment, both layers, as `python app.py` does (cdk.json
context, built-in validation off, no asset staging, no policy plugins: cdk-nag runs on the
`cdk synth`/`cdk deploy` path only). A last phase prices that path's extra: importing cdk-nag, then the same cloud stacks
built again in two more Apps, synthesized warm without and with cdk-nag and the EKS rules (the
difference is what the checks cost). It counts jsii round trips (every request
the Python side sends to the Node kernel: create, invoke, get, set, static calls, callbacks) and
times each construct class of zacatl_infra, inclusive of its children, so the hot constructs and
what a rewrite (cdk8s L1 classes or a plain ApiObject instead of cdk8s-plus) would save show up.
Nothing here is a test; it prints a table.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_ROUND_TRIPS = ("create", "get", "set", "sget", "sset", "invoke", "sinvoke", "begin", "sbegin", "end",
                "callbacks", "complete", "load", "delete")


def main() -> int:
    t0 = time.perf_counter()
    from zacatl_infra.config import load_environments
    from zacatl_infra.synth import Project
    project = Project(ROOT)
    envs = load_environments(project.environments_dir)
    t_config = time.perf_counter()

    import aws_cdk  # noqa: F401 - timing the import is the point
    t_aws = time.perf_counter()
    import cdk8s  # noqa: F401
    import cdk8s_plus_27  # noqa: F401
    t_k8s = time.perf_counter()

    from jsii._kernel.providers.process import ProcessProvider
    trips = [0]

    def counting(method):
        def wrapper(self, *args, **kwargs):
            trips[0] += 1
            return method(self, *args, **kwargs)
        return wrapper

    for name in _ROUND_TRIPS:
        if hasattr(ProcessProvider, name):
            setattr(ProcessProvider, name, counting(getattr(ProcessProvider, name)))

    # Every construct class of the library, timed inclusive of its children, outermost call only
    # per class (a class nested in itself is not counted twice).
    import zacatl_infra
    stats: dict[str, list[tuple[float, int]]] = defaultdict(list)  # per instance: seconds, round trips
    active: set[str] = set()
    for info in pkgutil.walk_packages(zacatl_infra.__path__, "zacatl_infra."):
        if ".imports" in info.name or info.name.endswith((".synth", ".policy.nag", ".policy.eks")):
            continue
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not hasattr(cls, "node"):
                continue
            original = cls.__init__
            label = f"{cls.__module__.removeprefix('zacatl_infra.')}.{cls.__name__}"

            def timed(self, *args, __original=original, __label=label, **kwargs):
                if __label in active:
                    return __original(self, *args, **kwargs)
                active.add(__label)
                start, before = time.perf_counter(), trips[0]
                try:
                    return __original(self, *args, **kwargs)
                finally:
                    stats[__label].append((time.perf_counter() - start, trips[0] - before))
                    active.discard(__label)

            cls.__init__ = timed
    t_lib = time.perf_counter()

    from zacatl_infra import naming
    from zacatl_infra.cloud.stack import EnvironmentStack
    from zacatl_infra.k8s.charts import environment_app
    from zacatl_infra.policy import add_policy_plugins

    phases: list[tuple[str, float, int]] = []

    def phase(label: str, fn):
        start, before = time.perf_counter(), trips[0]
        result = fn()
        phases.append((label, time.perf_counter() - start, trips[0] - before))
        return result

    # As synth_all: no asset copies into an assembly that is for reading (synth_cloud(stage_assets=False)).
    app = phase("cloud: App", lambda: aws_cdk.App(
        outdir=tempfile.mkdtemp(), context={**project.cdk_context(), "aws:cdk:disable-asset-staging": True},
        analytics_reporting=False, builtin_cloud_formation_validation=False))
    cloud = [e for e in envs if not e.is_local]
    phase("cloud: constructs", lambda: [EnvironmentStack(app, naming.stack_name(e), env=e) for e in cloud])
    phase("cloud: app.synth (no policy checks)", app.synth)
    outdir = Path(tempfile.mkdtemp())
    apps = phase("k8s: constructs", lambda: [environment_app(e, outdir / e.name) for e in envs])
    phase("k8s: synth (YAML)", lambda: [a.synth() for a in apps])
    total, total_trips = time.perf_counter() - t0, trips[0]

    # The `cdk synth`/`cdk deploy` path only (not in the total): what cdk-nag and the EKS rules add.
    counting_constructs = {label: list(runs) for label, runs in stats.items()}
    start = time.perf_counter()
    import cdk_nag  # noqa: F401 - timing the import is the point
    t_nag_import = time.perf_counter() - start
    # Two more Apps with the first one's settings, one of them with the plugins: both synthesize warm
    # (the first synth of a process also loads the kernel's synth code), so their difference is the
    # checks alone.
    def build() -> aws_cdk.App:
        built = aws_cdk.App(outdir=tempfile.mkdtemp(),
                            context={**project.cdk_context(), "aws:cdk:disable-asset-staging": True},
                            analytics_reporting=False, builtin_cloud_formation_validation=False)
        for e in cloud:
            EnvironmentStack(built, naming.stack_name(e), env=e)
        return built

    plain, checked = build(), build()
    stats.clear()
    stats.update(counting_constructs)  # the extra Apps' constructs are not the marginal cost of a synth
    add_policy_plugins(checked, production_stacks=[naming.stack_name(e) for e in envs if e.tier == "prod"])
    start = time.perf_counter()
    plain.synth()
    warm_plain_synth = time.perf_counter() - start
    start = time.perf_counter()
    checked.synth()
    t_checked_synth = time.perf_counter() - start
    n_stacks = sum(isinstance(child, aws_cdk.Stack) for child in checked.node.children)

    print(f"one synth of {len(envs)} environments ({len(cloud)} cloud), {sum(len(e.services) for e in envs)} services")
    print(f"{'phase':<40} {'ms':>7} {'round trips':>12}")
    for label, seconds in (("import config + validate", t_config - t0), ("import aws-cdk-lib", t_aws - t_config),
                           ("import cdk8s + cdk8s-plus-27", t_k8s - t_aws), ("import zacatl_infra constructs", t_lib - t_k8s)):
        print(f"{label:<40} {seconds * 1000:7.0f}")
    for label, seconds, count in phases:
        print(f"{label:<40} {seconds * 1000:7.0f} {count:12d}")
    print(f"{'total':<40} {total * 1000:7.0f} {total_trips:12d}")
    print(f"\n`cdk synth`/`cdk deploy` path only ({len(cloud)} environments, {n_stacks} stacks):")
    print(f"{'import cdk-nag':<40} {t_nag_import * 1000:7.0f}")
    print(f"{'cloud: synth warm, no checks':<40} {warm_plain_synth * 1000:7.0f}")
    print(f"{'cloud: synth warm, cdk-nag + EKS rules':<40} {t_checked_synth * 1000:7.0f}"
          f"   (checks: {(t_checked_synth - warm_plain_synth) * 1000:.0f} ms, "
          f"{(t_checked_synth - warm_plain_synth) * 1000 / n_stacks:.0f} ms a stack)")
    # The first instance also pays the kernel's lazy loading of the modules it touches; the later
    # ones are the marginal cost that grows with environments and services.
    print(f"\n{'construct (inclusive of children)':<44} {'n':>3} {'first ms':>9} {'later ms':>9} {'trips each':>11}")
    for label, runs in sorted(stats.items(), key=lambda kv: -sum(t for t, _ in kv[1])):
        later = f"{sum(t for t, _ in runs[1:]) / (len(runs) - 1) * 1000:9.1f}" if len(runs) > 1 else f"{'-':>9}"
        print(f"{label:<44} {len(runs):3d} {runs[0][0] * 1000:9.1f} {later} {sum(c for _, c in runs) / len(runs):11.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
