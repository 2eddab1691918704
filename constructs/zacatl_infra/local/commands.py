"""The commands a developer runs locally, rendered from the environment: npm scripts for compose and
a Makefile fragment for the kind path (``make local-up`` / ``make local-down``).

Every path they name is one this package renders (``dist/local/compose/``, ``dist/local/kind/``) or
the workload layer's ``dist/local/``; every name (cluster, context, namespace, image, Secret) comes
from ``naming`` and ``local.kind``, as the manifests' do.
"""

from __future__ import annotations

import shlex
from importlib import resources
from string import Template
from typing import Literal

from .. import naming
from ..config import EnvironmentConfig
from ..facts import container_images
from ..facts import kind as kind_facts
from . import compose, container, kind

DIST_DIR = "dist/local"
KIND_DIR = f"{DIST_DIR}/kind"
KIND_CONFIG_FILE = "cluster.yaml"
MAKEFILE = "local.mk"
#: The workload layer writes the Namespace first in this file (tests/test_synth.py checks the order).
NAMESPACE_FILE = "00-namespace.yaml"
#: How long `make local-up` waits for each Deployment: the startup probe's budget (150 s) plus a pull.
ROLLOUT_TIMEOUT_SECONDS = 180
#: Namespace of the throwaway MongoDB `make local-up` starts (unless LOCAL_THROWAWAY_MONGODB=no): not the
#: services' namespace, whose default-deny policy would refuse the connections.
DATABASE_NAMESPACE = "mongodb"


def package_scripts(env: EnvironmentConfig, recipe: container.ImageRecipe = container.ImageRecipe(), *,
                    run_from: Literal["service", "deployment"] = "service") -> dict[str, str]:
    """npm scripts (a ``package.json``'s ``scripts``) of the compose path:

    - ``docker:dev``: development stack in the foreground (hot reload; ``--profile redis`` adds Redis);
    - ``docker:prod``: the production-like stack, detached, returning once every health check passes;
    - ``docker:clean``: both stacks down with their volumes (MongoDB's data included).
    All read ``.env`` in the folder npm runs them from (copied from ``dist/local/compose/.env.example``).
    ``run_from``: whose ``package.json`` holds them: ``"service"`` (default) the service's, at its root;
    ``"deployment"`` the deployment project's (``recipe.deployment_dir``), as ``zacatl-infra init`` writes.
    """
    if run_from not in ("service", "deployment"):
        raise ValueError(f"package scripts: run_from {run_from!r} is not 'service' or 'deployment'")

    def _compose(file: str, *args: str) -> str:
        path = compose.compose_path(recipe, file) if run_from == "service" else f"{compose.COMPOSE_DIR}/{file}"
        return " ".join(["docker", "compose", "--env-file", ".env", "-f", path, *args])

    return {
        "docker:dev": _compose(compose.DEVELOPMENT_FILE, "up", "--build"),
        "docker:prod": _compose(compose.PRODUCTION_FILE, "up", "--build", "--wait"),
        "docker:clean": " && ".join([
            _compose(compose.DEVELOPMENT_FILE, "--profile", compose.REDIS_PROFILE, "down", "--volumes", "--remove-orphans"),
            _compose(compose.PRODUCTION_FILE, "down", "--volumes", "--remove-orphans"),
        ]),
    }


def _recipe(lines: list[str]) -> str:
    return "\n".join(f"\t{line}" for line in lines)


def makefile(env: EnvironmentConfig, recipe: container.ImageRecipe = container.ImageRecipe()) -> str:
    """The Makefile fragment of the kind path (``local.mk``), as text. Secret values come from the
    shell's variables of the same names (``export MONGO_URI=...``), never from a file of this repo."""
    if not env.services:
        raise ValueError(f"environment {env.name!r}: field services is empty; the kind path needs a service")
    ns = naming.namespace(env)
    images, loads, secrets, rollouts = [], [], [], []
    for spec in env.services:
        image = naming.image_uri(env, spec)
        dockerfile = f"{compose.COMPOSE_DIR}/{container.dockerfile_name(spec)}"
        images.append(f"docker build -f {dockerfile} --target runtime -t {image} {recipe.service_root}")
        loads.append(f"kind load docker-image {image} --name $(LOCAL_CLUSTER)")
        if spec.all_secrets:
            literals = " ".join(f'--from-literal={ref.key}="$${ref.env_var}"' for ref in spec.all_secrets)
            required = " ".join(f': "$${{{ref.env_var}:?export {ref.env_var} first}}";' for ref in spec.all_secrets)
            secrets.append(
                f"@{required} $(LOCAL_KUBECTL) -n $(LOCAL_NAMESPACE) create secret generic "
                f"{naming.kubernetes_secret_name(spec)} {literals} --dry-run=client -o yaml | $(LOCAL_KUBECTL) apply -f -"
            )
        rollouts.append(f"$(LOCAL_KUBECTL) -n $(LOCAL_NAMESPACE) rollout status deployment/{spec.name} "
                        f"--timeout={ROLLOUT_TIMEOUT_SECONDS}s")
    first = env.services[0]
    databases = [s.database.name for s in env.services if s.database] or ["<database>"]
    # No service reads MongoDB (no `database` in any spec): starting one would only cost memory.
    needs_database = any(s.database for s in env.services)
    mongodb_url = (f"mongodb://mongodb.{DATABASE_NAMESPACE}:{container_images.MONGODB_PORT}/{databases[0]}: "
                   "export MONGO_URI with it")
    template = Template(resources.files(__package__).joinpath("templates", "local.mk.tmpl").read_text())
    return template.substitute(
        environment=env.name, makefile=f"{KIND_DIR}/{MAKEFILE}", dist=DIST_DIR, kind_version=kind_facts.VERSION,
        cluster=kind.cluster_name(env), context=kind.kube_context(env), namespace=ns,
        cluster_config=f"{KIND_DIR}/{KIND_CONFIG_FILE}", namespace_file=f"{DIST_DIR}/{NAMESPACE_FILE}",
        images=_recipe(images), loads=_recipe(loads), secrets=_recipe(secrets) if secrets else "\t@true",
        rollouts=_recipe(rollouts), database_namespace=DATABASE_NAMESPACE, mongodb_url=mongodb_url,
        mongodb_image=container_images.MONGODB.reference,
        throwaway_default="yes" if needs_database else "no",
        throwaway_reason="Default: yes, a service has a database." if needs_database
        else "Default: no, no service has a database.",
        mongodb_port=container_images.MONGODB_PORT, first_service=shlex.quote(first.name), first_port=first.container_port,
        forward_message=f"{first.name} answers on http://127.0.0.1:{first.container_port}"
                        f"{first.health.readiness_path or '/'} (Ctrl-C stops the port-forward)",
    )
