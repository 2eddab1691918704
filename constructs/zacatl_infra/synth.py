"""Renders every environment, both layers, in one process; owns all output folders.

How `app.py` tells the callers apart:
- the AWS CDK CLI (`cdk synth`, `cdk deploy`) sets ``CDK_OUTDIR``: only the cloud layer is
  synthesized, into the folder the CLI chose;
- the cdk8s CLI (`cdk8s synth`) sets ``CDK8S_OUTDIR``: only the workload layer is rendered, into
  that folder (``cdk8s.out/`` per cdk8s.yaml; the CLI empties it first, so it never points at dist/);
- plain ``python app.py`` renders both: the cloud layer into ``cdk.out/`` and the workload layer into
  ``dist/<env>/``, swapped in only after every environment rendered and validated.

The same entry point serves the platform and a service repository: an environment with ``team`` set
gets a ``ServiceStack`` (the team's services in the platform's account), one without gets the
``EnvironmentStack``; ``main(service_class=...)`` renders every service with a ``ZacatlService``
subclass. The App comes from ``cloud_app()``, which sets the CDK feature flags, so ``cdk.json``
only has to name the app.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .config import ConfigError, EnvironmentConfig, load_environments

if TYPE_CHECKING:
    from aws_cdk import cx_api

    from .k8s.service import ZacatlService
    from .local import ImageRecipe

# The construct libraries are imported inside the functions that use them, not here: loading
# aws-cdk-lib, cdk-nag and cdk8s starts the jsii kernel and takes about 1 s, and a config error must
# be reported before that (tests/test_imports.py). `cdk8s synth` then never loads the AWS layer.


@dataclass(frozen=True)
class Project:
    """Where a zacatl-infra project keeps its inputs and outputs."""

    root: Path

    @property
    def environments_dir(self) -> Path:
        return self.root / "environments"

    @property
    def dist_dir(self) -> Path:
        return self.root / "dist"

    @property
    def cdk_out_dir(self) -> Path:
        return self.root / "cdk.out"

    def cdk_context(self) -> dict[str, object]:
        """The ``context`` of ``cdk.json`` (``{}`` when the file or the key is absent), so every synth
        matches what `cdk deploy` produces; the library's feature flags come from ``cloud_app()``."""
        path = self.root / "cdk.json"
        return dict(json.loads(path.read_text()).get("context", {})) if path.exists() else {}


def synth_cloud(envs: list[EnvironmentConfig], outdir: Path, context: dict[str, object] | None = None, *,
                builtin_validation: bool = False, policy_checks: bool = True,
                stage_assets: bool = True) -> cx_api.CloudAssembly:
    """One stack per cloud environment, written to ``outdir``; returns the cloud assembly.

    The stack is a ``ServiceStack`` when ``env.team`` is set, else the ``EnvironmentStack``.
    ``context``: applied over the library's feature flags (``cloud_app``). Default: none.

    ``policy_checks``: run cdk-nag AwsSolutions and the project's EKS rules
    (``policy.add_policy_plugins``); an unacknowledged finding fails the synth (a jsii ``RuntimeError``
    starting ``ValidationFailed``). Default: on. Off, cdk-nag is not even imported.

    ``builtin_validation``: also run the CDK's built-in CloudFormation validation (its schema rules
    and the CDK default rules, errors per ``@aws-cdk/core:validateAgainstDefaultRules``). Default: off.

    ``stage_assets``: copy file assets (the kubectl layer and handler bundles, about 58 MB) into the
    assembly. Default: on. Off (context ``aws:cdk:disable-asset-staging``, aws-cdk-lib's switch for
    tools that read templates only) the templates are the same, asset hashes included, but the
    assembly cannot be published; `python app.py` turns it off, its assembly being for reading.

    An assembly that skipped either check is marked (``policy.mark_unchecked``): the AWS CDK CLI refuses to
    deploy it as it is (``cdk deploy --app <outdir>``).

    Where each runs (``main``): the AWS CDK CLI (`cdk synth`, `cdk deploy`, and the test session's
    `cdk synth`, so the check gate) runs both; `python app.py` (``make synth``) runs neither.
    Measured (docs/performance.md): cdk-nag and the EKS rules took 0.4-0.6 s of CPU over the four
    stacks of the committed environments (0.1-0.15 s a stack) plus 0.25 s to import cdk-nag, a
    seventh of a full synth; the built-in validation 2.6 s of 7 s.
    """
    # CDK_OUTDIR, when the CLI set it, wins over outdir inside App(); both point where the CLI wants.
    from . import naming
    from .cloud.app import cloud_app
    from .cloud.service_stack import ServiceStack
    from .cloud.stack import EnvironmentStack

    if not stage_assets:
        context = {**(context or {}), "aws:cdk:disable-asset-staging": True}
    app = cloud_app(outdir=outdir, context=context, builtin_validation=builtin_validation)
    for env in envs:
        if not env.is_local:
            stack = ServiceStack if env.team else EnvironmentStack
            stack(app, naming.stack_name(env), env=env)
    if policy_checks:
        from .policy import add_policy_plugins

        add_policy_plugins(app, production_stacks=[naming.stack_name(e) for e in envs if e.tier == "prod"])
    assembly = app.synth()
    skipped = ([] if policy_checks else ["cdk-nag", "the EKS rules"]) + \
        ([] if builtin_validation else ["the built-in CloudFormation validation"])
    if skipped:
        from .policy import mark_unchecked

        mark_unchecked(assembly, skipped)
    return assembly


def render_workloads(envs: list[EnvironmentConfig], outdir: Path, *,
                     service_class: type[ZacatlService] | None = None,
                     image_recipe: ImageRecipe | None = None) -> None:
    """Writes ``outdir/<env>/*.yaml`` for every environment, its restore path (not applied by
    default) under ``outdir/<env>/restore/`` (``k8s.restore``), and for a local one its development
    files in ``compose/`` and ``kind/`` (``zacatl_infra.local``; `kubectl apply -f` does not recurse).

    ``service_class``: the ``ZacatlService`` subclass every service renders with. Default: ``ZacatlService``.
    ``image_recipe``: how the service's repository builds and where the deployment project sits in it
    (``ImageRecipe(deployment_dir="deploy")`` after ``zacatl-infra init deploy``); the local files'
    paths depend on it. Default: ``ImageRecipe()``, the deployment project at the service's root.
    """
    from .k8s.charts import environment_app
    from .k8s.restore import render_restore
    from .k8s.service import ZacatlService
    from .local import ImageRecipe, render_local_files

    for env in envs:
        environment_app(env, outdir / env.name, service_class=service_class or ZacatlService).synth()
        render_restore(env, outdir / env.name / "restore")
        if env.is_local:
            render_local_files(env, outdir / env.name, image_recipe or ImageRecipe())


def _swap_into(staging: Path, dist: Path, names: list[str], prune: bool) -> None:
    """Replaces ``dist/<name>`` with ``staging/<name>`` for each name; prunes environments that are gone."""
    dist.mkdir(exist_ok=True)
    trash = staging / ".previous"
    trash.mkdir()
    for name in names:
        target = dist / name
        if target.exists():
            target.rename(trash / name)
        (staging / name).rename(target)
    if prune:
        for stale in dist.iterdir():
            if stale.is_dir() and stale.name not in names:
                stale.rename(trash / stale.name)


def synth_all(project: Project, only: list[str] | None = None, *,
              service_class: type[ZacatlService] | None = None,
              image_recipe: ImageRecipe | None = None) -> list[EnvironmentConfig]:
    """Config, cloud layer, workload layer; ``dist/`` changes only if every step succeeded."""
    envs = load_environments(project.environments_dir, only)
    # For reading: no policy checks and no asset copies here (marked undeployable); `cdk deploy` does both.
    synth_cloud(envs, project.cdk_out_dir, project.cdk_context(), policy_checks=False, stage_assets=False)
    # Stage next to dist/ so the final renames stay on one filesystem and are atomic per folder.
    with tempfile.TemporaryDirectory(prefix=".dist-", dir=project.root) as staging:
        render_workloads(envs, Path(staging), service_class=service_class, image_recipe=image_recipe)
        _swap_into(Path(staging), project.dist_dir, [e.name for e in envs], prune=only is None)
    return envs


def main(argv: list[str] | None = None, root: Path | None = None, *,
         service_class: type[ZacatlService] | None = None, image_recipe: ImageRecipe | None = None) -> int:
    """Entry point of app.py, in the platform and in a service repository; returns the exit code.

    ``argv``: environment names to render. Default: ``sys.argv[1:]``, and every environment when empty.
    ``root``: the folder holding ``environments/``, ``cdk.json`` and ``dist/``. Default: the working directory.
    ``service_class``: a ``ZacatlService`` subclass every service renders with. Default: ``ZacatlService``.
    ``image_recipe``: the service repository's build and layout, for the local files (see
    ``render_workloads``). Default: ``ImageRecipe()``.
    Exit codes: 0 done; 2 invalid configuration, nothing written; 1 synth failed, ``dist/`` unchanged.
    """
    project = Project(root or Path.cwd())
    only = list(argv if argv is not None else sys.argv[1:]) or None
    try:
        if os.environ.get("CDK_OUTDIR"):
            # What `cdk deploy` ships gets every check: cdk-nag, the EKS rules, the built-in validation.
            synth_cloud(load_environments(project.environments_dir, only), Path(os.environ["CDK_OUTDIR"]),
                        project.cdk_context(), builtin_validation=True)
        elif os.environ.get("CDK8S_OUTDIR"):
            render_workloads(load_environments(project.environments_dir, only), Path(os.environ["CDK8S_OUTDIR"]),
                             service_class=service_class, image_recipe=image_recipe)
        else:
            envs = synth_all(project, only, service_class=service_class, image_recipe=image_recipe)
            noun = "environment" if len(envs) == 1 else "environments"
            print(f"synthesized {len(envs)} {noun}: {', '.join(e.name for e in envs)} "
                  f"-> {project.dist_dir.name}/ and {project.cdk_out_dir.name}/")
    except ConfigError as err:
        print(f"zacatl-infra: {err}\nnothing was written.", file=sys.stderr)
        return 2
    except Exception as err:  # construct and policy errors arrive as jsii errors with the CDK's text
        print(f"zacatl-infra: synth failed: {err}\ndist/ was left unchanged.", file=sys.stderr)
        return 1
    return 0
