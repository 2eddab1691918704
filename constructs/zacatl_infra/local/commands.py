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
from ..config import EnvironmentConfig, ServiceSpec
from ..facts import backups, mongodb_driver
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
#: User name `make local-up` gives the in-cluster MongoDB's root user when it creates its Secret
#: (docs/disaster-recovery.md creates the same by hand); a Secret already there is read, not replaced.
ROOT_USERNAME = "root"
#: Keys of the root Secret, as the StatefulSet reads them (``k8s.database.InClusterDatabase``).
ROOT_SECRET_KEYS = ("username", "password")
#: Variable of local.mk that sets the root password of a new cluster (else 24 random bytes, hex).
PASSWORD_VARIABLE = "LOCAL_MONGODB_PASSWORD"
#: Characters a password may hold to go into a URI unencoded (RFC 3986 section 2.3, unreserved).
_UNRESERVED = "A-Za-z0-9._~-"


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


def in_cluster_uri(env: EnvironmentConfig, spec: ServiceSpec, user: str, password: str) -> str:
    """``spec``'s connection string to the in-cluster MongoDB as its root user:
    ``mongodb://<user>:<password>@mongodb.<namespace>.svc:27017/<database>?authSource=admin``.
    The root user lives in the ``admin`` database (the official image's entrypoint creates it there
    from ``MONGO_INITDB_ROOT_*``), hence ``authSource``. ``user`` and ``password`` are inserted as given
    (shell variables in local.mk); they must hold only URI-unreserved characters."""
    assert spec.database is not None
    host = f"{naming.IN_CLUSTER_DATABASE}.{naming.namespace(env)}.svc"
    return (f"mongodb://{user}:{password}@{host}:{backups.MONGO_PORT}/{spec.database.name}"
            f"?{mongodb_driver.AUTH_SOURCE}=admin")


def _root_secret_recipes() -> tuple[list[str], list[str]]:
    """Two recipe lines of local-secrets, as lists of shell lines: (1) create the root Secret once, from
    LOCAL_MONGODB_PASSWORD or 24 random bytes, never replacing it, as the database keeps the password it
    was initialised with on its volume; (2) set ``user`` and ``password`` from that Secret (what the
    database runs with), for the service Secret commands that follow in the same shell."""
    secret, get = naming.IN_CLUSTER_DATABASE_SECRET, "$(LOCAL_KUBECTL) -n $(LOCAL_NAMESPACE) get secret"
    username, password = ROOT_SECRET_KEYS
    create = [
        f"@{get} {secret} >/dev/null 2>&1 || {{ \\",
        f"  password=\"$${{{PASSWORD_VARIABLE}:-$$(od -An -N24 -tx1 /dev/urandom | tr -d ' \\n')}}\"; \\",
        f"  case \"$$password\" in *[!{_UNRESERVED}]*) echo \"local-secrets: {PASSWORD_VARIABLE} may hold only "
        f"{_UNRESERVED} (it goes into a URI)\" >&2; exit 1;; esac; \\",
        f"  echo \"local-secrets: creating Secret {secret}, the in-cluster MongoDB's root user (kept until "
        f"make local-down)\"; \\",
        f"  $(LOCAL_KUBECTL) -n $(LOCAL_NAMESPACE) create secret generic {secret} "
        f"--from-literal={username}={ROOT_USERNAME} --from-literal={password}=\"$$password\"; }}",
    ]
    # kubectl prints a Secret's data base64-encoded (kubernetes.io, "Managing Secrets using kubectl").
    read = [
        f"@user=\"$$({get} {secret} -o jsonpath='{{.data.{username}}}' | base64 --decode)\"; \\",
        f"password=\"$$({get} {secret} -o jsonpath='{{.data.{password}}}' | base64 --decode)\"; \\",
        f"[ -n \"$$user\" ] && [ -n \"$$password\" ] || {{ echo \"local-secrets: Secret {secret} has no "
        f"{username} or {password}\" >&2; exit 1; }}; \\",
        f"[ -z \"$${{{PASSWORD_VARIABLE}:-}}\" ] || [ \"$${PASSWORD_VARIABLE}\" = \"$$password\" ] || echo "
        f"\"local-secrets: Secret {secret} keeps the password the database was initialised with; "
        f"{PASSWORD_VARIABLE} applies to a new cluster (make local-down first)\"; \\",
    ]
    return create, read


def makefile(env: EnvironmentConfig, recipe: container.ImageRecipe = container.ImageRecipe()) -> str:
    """The Makefile fragment of the kind path (``local.mk``), as text. When the environment renders its
    own MongoDB (``naming.runs_in_cluster_database``), local-up creates its root Secret once and fills each service's
    connection string from it (``in_cluster_uri``); every other secret value comes from the shell's
    variable of the same name (``export LEDGER_TOKEN=...``), never from a file of this repo."""
    if not env.services:
        raise ValueError(f"environment {env.name!r}: field services is empty; the kind path needs a service")
    ns = naming.namespace(env)
    own_database = naming.runs_in_cluster_database(env)
    images, loads, service_secrets, required, rollouts = [], [], [], [], []
    for spec in env.services:
        image = naming.image_uri(env, spec)
        dockerfile = f"{compose.COMPOSE_DIR}/{container.dockerfile_name(spec)}"
        images.append(f"docker build -f {dockerfile} --target runtime -t {image} {recipe.service_root}")
        loads.append(f"kind load docker-image {image} --name $(LOCAL_CLUSTER)")
        # The connection string names the environment's own MongoDB when it renders one; every other
        # secret comes from the shell variable of the same name.
        from_database = (spec.database.connection_secret,) if own_database and spec.database else ()
        from_shell = tuple(ref for ref in spec.all_secrets if ref not in from_database)
        literals = [f'--from-literal={ref.key}="{in_cluster_uri(env, spec, "$$user", "$$password")}"'
                    for ref in from_database]
        literals += [f'--from-literal={ref.key}="$${ref.env_var}"' for ref in from_shell]
        required += [f': "$${{{ref.env_var}:?export {ref.env_var} first}}";' for ref in from_shell]
        if literals:
            service_secrets.append(
                f"$(LOCAL_KUBECTL) -n $(LOCAL_NAMESPACE) create secret generic {naming.kubernetes_secret_name(spec)} "
                f"{' '.join(literals)} --dry-run=client -o yaml | $(LOCAL_KUBECTL) apply -f -")
        rollouts.append(f"$(LOCAL_KUBECTL) -n $(LOCAL_NAMESPACE) rollout status deployment/{spec.name} "
                        f"--timeout={ROLLOUT_TIMEOUT_SECONDS}s")
    if own_database:
        # One shell: the services' Secrets use the user and password read back from the root Secret.
        create, read = _root_secret_recipes()
        secrets = read + [f"{line}; \\" for line in service_secrets[:-1]] + service_secrets[-1:]
        secret_lines = _recipe(create) + "\n" + _recipe(secrets)
    else:
        secret_lines = _recipe([f"@{line}" for line in service_secrets]) if service_secrets else "\t@true"
    first = env.services[0]
    summary = (f"# The in-cluster MongoDB of {DIST_DIR}/ (StatefulSet {naming.IN_CLUSTER_DATABASE}) gets its root user "
               f"from Secret {naming.IN_CLUSTER_DATABASE_SECRET}:\n"
               f"# {PASSWORD_VARIABLE} sets its password on a new cluster (else a random one), later runs read it back.")
    template = Template(resources.files(__package__).joinpath("templates", "local.mk.tmpl").read_text())
    return template.substitute(
        environment=env.name, makefile=f"{KIND_DIR}/{MAKEFILE}", dist=DIST_DIR, kind_version=kind_facts.VERSION,
        cluster=kind.cluster_name(env), context=kind.kube_context(env), namespace=ns,
        cluster_config=f"{KIND_DIR}/{KIND_CONFIG_FILE}", namespace_file=f"{DIST_DIR}/{NAMESPACE_FILE}",
        images=_recipe(images), loads=_recipe(loads), secrets=secret_lines,
        required=_recipe([f"@{' '.join(required)} true"]) + "\n" if required else "",
        database_summary=summary if own_database else "#",
        rollouts=_recipe(rollouts), first_service=shlex.quote(first.name), first_port=first.container_port,
        forward_message=f"{first.name} answers on http://127.0.0.1:{first.container_port}"
                        f"{first.health.readiness_path or '/'} (Ctrl-C stops the port-forward)",
    )
