"""`main(service_class=...)`: app.py's entry point for a platform or a service repository.

The same three callers as ``zacatl_infra.synth.main`` (the AWS CDK CLI sets ``CDK_OUTDIR``, the
cdk8s CLI ``CDK8S_OUTDIR``, plain ``python app.py`` renders both layers into ``cdk.out/`` and
``dist/<env>/`` with the same atomic swap), plus what a service repository needs:

- ``service_class``: a ``ZacatlService`` subclass every service renders with, no CLI code copied;
- an environment with ``team`` set gets a ``ServiceStack`` (its services only, in its own names),
  one without gets the platform's ``EnvironmentStack``;
- the App comes from ``cloud_app()``: the library's feature flags, so ``cdk.json`` only names the
  app (any ``context`` it does have is applied over them).

To be folded into ``zacatl_infra.synth`` (``synth.main(service_class=...)``); kept apart while
that module is being reworked.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from .config import ConfigError, EnvironmentConfig, load_environments
from .synth import Project, _swap_into

if TYPE_CHECKING:
    from aws_cdk import cx_api

    from .k8s.service import ZacatlService

# The construct libraries are imported inside the functions that use them: loading aws-cdk-lib and
# cdk8s starts the jsii kernel (about a second), and a configuration error is reported before that.


def project_context(root: Path) -> dict[str, object]:
    """The ``context`` of ``root/cdk.json``, or ``{}`` when the file or the key is absent."""
    path = root / "cdk.json"
    return dict(json.loads(path.read_text()).get("context", {})) if path.exists() else {}


def synth_cloud(envs: list[EnvironmentConfig], outdir: Path, *, context: dict[str, object] | None = None,
                builtin_validation: bool = False) -> cx_api.CloudAssembly:
    """One stack per cloud environment: ``ServiceStack`` when ``env.team`` is set, else ``EnvironmentStack``.

    cdk-nag AwsSolutions and the EKS rules fail the synth on any unacknowledged finding.
    """
    from . import naming
    from .cloud.app import cloud_app
    from .cloud.service_stack import ServiceStack
    from .cloud.stack import EnvironmentStack
    from .policy import add_policy_plugins

    app = cloud_app(outdir=outdir, context=context, builtin_validation=builtin_validation)
    for env in envs:
        if not env.is_local:
            stack = ServiceStack if env.team else EnvironmentStack
            stack(app, naming.stack_name(env), env=env)
    add_policy_plugins(app, production_stacks=[naming.stack_name(e) for e in envs if e.tier == "prod"])
    return app.synth()


def render_workloads(envs: list[EnvironmentConfig], outdir: Path, *,
                     service_class: type[ZacatlService] | None = None) -> None:
    """Writes ``outdir/<env>/*.yaml`` for every environment, each service rendered by ``service_class``
    (default ``ZacatlService``)."""
    from .k8s.charts import environment_app
    from .k8s.service import ZacatlService

    service_class = service_class or ZacatlService
    for env in envs:
        environment_app(env, outdir / env.name, service_class=service_class).synth()


def main(argv: list[str] | None = None, root: Path | None = None, *,
         service_class: type[ZacatlService] | None = None) -> int:
    """Entry point of a repository's app.py; returns the process exit code.

    ``argv``: environment names to render. Default: ``sys.argv[1:]``, and all environments when empty.
    ``root``: the folder holding ``environments/``, ``cdk.json`` and ``dist/``. Default: the working directory.
    ``service_class``: Default ``ZacatlService``.
    Exit codes: 0 done, 2 invalid configuration (nothing written), 1 synth failed (``dist/`` unchanged).
    """
    project = Project(root or Path.cwd())
    only = list(argv if argv is not None else sys.argv[1:]) or None
    try:
        context = project_context(project.root)
        envs = load_environments(project.environments_dir, only)
        if os.environ.get("CDK_OUTDIR"):
            synth_cloud(envs, Path(os.environ["CDK_OUTDIR"]), context=context, builtin_validation=True)
        elif os.environ.get("CDK8S_OUTDIR"):
            render_workloads(envs, Path(os.environ["CDK8S_OUTDIR"]), service_class=service_class)
        else:
            synth_cloud(envs, project.cdk_out_dir, context=context)
            with tempfile.TemporaryDirectory(prefix=".dist-", dir=project.root) as staging:
                render_workloads(envs, Path(staging), service_class=service_class)
                _swap_into(Path(staging), project.dist_dir, [e.name for e in envs], prune=only is None)
            print(f"synthesized {len(envs)} environments: {', '.join(e.name for e in envs)} "
                  f"-> {project.dist_dir.name}/ and {project.cdk_out_dir.name}/")
    except ConfigError as err:
        print(f"zacatl-infra: {err}\nnothing was written.", file=sys.stderr)
        return 2
    except Exception as err:  # construct and policy errors arrive as jsii errors with the CDK's text
        print(f"zacatl-infra: synth failed: {err}\ndist/ was left unchanged.", file=sys.stderr)
        return 1
    return 0
