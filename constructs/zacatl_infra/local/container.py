"""The service's container image: a Dockerfile and its ignore file, rendered from the ServiceSpec.

The image is the cluster's contract seen from the build side: the user the Deployment runs as
(``facts.zacatl.RUNTIME_IMAGE``, 65532), the port and readiness path of the spec, ``node`` as the
only executable (distroless), production dependencies only, and the Amazon RDS CA bundle at
``documentdb_tls.CA_BUNDLE_PATH`` that a DocumentDB connection string names (fetched at build time,
so the pod needs no egress; every image carries it, so one image serves every database kind). Bases are pinned by digest
(``facts.container_images``, read from upstream Zacatl's own Dockerfile at v0.0.61).

Why distroless and not Alpine: Zacatl's dependencies (the MongoDB driver's optional compression and
Kerberos modules, bcrypt, sqlite3) ship or compile native ``.node`` binaries against glibc; Alpine
uses musl, where glibc prebuilds do not load and every native module must be compiled again. The
distroless runtime is glibc (Debian 13) with no shell and no package manager, and is smaller than
a Debian slim image; Zacatl upstream moved its examples to the same pair for that reason.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath
from string import Template

from .. import documentdb_tls
from ..config import ServiceSpec
from ..facts import container_images, documentdb, zacatl

#: Docker health check timings: those of the Deployment's readiness probe (``k8s/service.py``:
#: every 5 s, 3 s timeout, out after 2 failures), so "healthy" in compose means what "ready" means
#: in the cluster; the start period is the startup probe's budget (30 checks 5 s apart).
HEALTH_INTERVAL_SECONDS = 5
HEALTH_TIMEOUT_SECONDS = 3
HEALTH_RETRIES = 2
HEALTH_START_PERIOD_SECONDS = 150
#: The check's own HTTP timeout stays under Docker's, so a slow answer exits 1 instead of being killed.
_FETCH_TIMEOUT_MS = HEALTH_TIMEOUT_SECONDS * 1000 - 500
#: Debian packages node-gyp needs to compile a native module that has no prebuilt binary.
NATIVE_BUILD_PACKAGES = ("python3", "make", "g++")


@dataclass(frozen=True)
class ImageRecipe:
    """How the service's repository builds; the defaults fit a Zacatl service laid out like upstream's
    examples (``package.json`` + ``package-lock.json`` at the root, TypeScript compiled to ``dist/``).

    ``build_script``: npm script that compiles. Default ``build``.
    ``dev_script``: npm script that runs with hot reload (``tsx watch src/index.ts`` upstream). Default ``dev``.
    ``output_dir``: folder the build writes. Default ``dist``.
    ``entrypoint``: the file node starts, inside ``output_dir``. Default ``dist/index.js``.
    ``source_dirs``: folders the development compose file mounts for hot reload. Default ``("src",)``.
    ``native_build_tools``: install python3, make and g++ in the build stages, for a dependency that
    compiles a native module (node-gyp) instead of downloading a prebuilt one. Default False.
    ``deployment_dir``: the deployment project (the folder holding ``dist/``) relative to the service's
    root (``package.json``, ``src/``): ``deploy`` after ``zacatl-infra init deploy``. Default ``.``,
    one folder for both.
    """

    build_script: str = "build"
    dev_script: str = "dev"
    output_dir: str = "dist"
    entrypoint: str = "dist/index.js"
    source_dirs: tuple[str, ...] = ("src",)
    native_build_tools: bool = False
    deployment_dir: str = "."

    @property
    def service_root(self) -> str:
        """The service's root seen from the deployment project: ``.``, or ``..`` per level of ``deployment_dir``."""
        return "/".join([".."] * len(PurePosixPath(self.deployment_dir).parts)) or "."

    def __post_init__(self) -> None:
        parts = PurePosixPath(self.deployment_dir).parts
        if PurePosixPath(self.deployment_dir).is_absolute() or ".." in parts:
            raise ValueError(f"image recipe: deployment_dir {self.deployment_dir!r} must be a folder inside the "
                             "service's root, such as 'deploy' or '.'")
        if not self.entrypoint.startswith(f"{self.output_dir}/"):
            raise ValueError(f"image recipe: entrypoint {self.entrypoint!r} is not inside output_dir "
                             f"{self.output_dir!r}; only {self.output_dir}/ is copied into the runtime image")
        for name in (self.build_script, self.dev_script):
            if not name or shlex.quote(name) != name:
                raise ValueError(f"image recipe: npm script name {name!r} must be a plain word")


def user() -> str:
    """``uid:gid`` every container of the service runs as: the runtime image's nonroot user, which the
    Deployment's ``runAsUser``/``runAsGroup`` also name (``k8s/service.py``)."""
    return f"{zacatl.RUNTIME_IMAGE.user_id}:{zacatl.RUNTIME_IMAGE.group_id}"


def health_url(spec: ServiceSpec) -> str | None:
    """``http://127.0.0.1:<port><readiness path>``, or None when readiness is a TCP check (no path).
    127.0.0.1, not localhost: Zacatl listens on IPv4 only (``facts.zacatl.PORT``), and localhost may
    resolve to ::1 first."""
    if spec.health.readiness_path is None:
        return None
    return f"http://127.0.0.1:{spec.container_port}{spec.health.readiness_path}"


def health_script(spec: ServiceSpec) -> str:
    """JavaScript for ``node -e``, the Deployment's readiness check: with a readiness path, exit 0 on a
    2xx answer from ``health_url`` and 1 otherwise; without one, exit 0 when the port accepts a TCP
    connection. No shell and no curl in the image: Node's own fetch and net do the work."""
    url = health_url(spec)
    if url is None:
        return (f"require('node:net').connect({spec.container_port},'127.0.0.1')"
                ".on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))"
                f".setTimeout({_FETCH_TIMEOUT_MS},()=>process.exit(1))")
    return (f"fetch({json.dumps(url)},{{signal:AbortSignal.timeout({_FETCH_TIMEOUT_MS})}})"
            ".then(r=>process.exit(r.ok?0:1),()=>process.exit(1))")


def health_command(spec: ServiceSpec, node: str = zacatl.RUNTIME_IMAGE.node) -> list[str]:
    """Exec-form check: ``[node, "-e", health_script(spec)]``. ``node``: the binary's path
    (default the distroless one, ``facts.zacatl.RUNTIME_IMAGE.node``)."""
    return [node, "-e", health_script(spec)]


def _template(name: str) -> Template:
    return Template(resources.files(__package__).joinpath("templates", name).read_text())


def _build_tools(recipe: ImageRecipe) -> str:
    if not recipe.native_build_tools:
        return "# No native build tools: every dependency installs from npm or a prebuilt binary."
    return (
        "# Unpinned on purpose (DL3008): Debian's archive keeps only the current version of a package, so a\n"
        "# pinned one stops resolving at the next point release; this stage is discarded after npm ci.\n"
        "# hadolint ignore=DL3008\n"
        f"RUN apt-get update && apt-get install -y --no-install-recommends {' '.join(NATIVE_BUILD_PACKAGES)} \\\n"
        "    && rm -rf /var/lib/apt/lists/*"
    )


def dockerfile(spec: ServiceSpec, recipe: ImageRecipe = ImageRecipe()) -> str:
    """The multi-stage Dockerfile of ``spec`` (targets ``dev`` and ``runtime``), as text."""
    options = (f"--interval={HEALTH_INTERVAL_SECONDS}s --timeout={HEALTH_TIMEOUT_SECONDS}s "
               f"--start-period={HEALTH_START_PERIOD_SECONDS}s --retries={HEALTH_RETRIES}")
    return _template("Dockerfile.tmpl").substitute(
        service=spec.name,
        builder=container_images.BUILDER.reference,
        runtime=container_images.RUNTIME.reference,
        node_major=container_images.NODE_MAJOR,
        debian_release=container_images.DEBIAN_RELEASE,
        build_tools=_build_tools(recipe),
        build_script=recipe.build_script,
        dev_script=recipe.dev_script,
        output_dir=recipe.output_dir,
        entrypoint=recipe.entrypoint,
        user=user(),
        port=spec.container_port,
        healthcheck_options=options,
        healthcheck_command=json.dumps(health_command(spec)),
        node=zacatl.RUNTIME_IMAGE.node,
        ca_bundle_mode=f"{documentdb_tls.CA_BUNDLE_MODE:04o}",
        ca_bundle_url=documentdb.CA_BUNDLE_URL,
        ca_bundle_path=documentdb_tls.CA_BUNDLE_PATH,
    )


def dockerignore(spec: ServiceSpec, recipe: ImageRecipe = ImageRecipe()) -> str:
    """The build context's ignore file: no ``.env``, no host ``node_modules``, no build output, and not
    the deployment project when it is a sub-folder of the service."""
    ignored = {recipe.output_dir, "dist"} | ({recipe.deployment_dir} if recipe.deployment_dir != "." else set())
    outputs = "\n".join(sorted(ignored))
    return _template("dockerignore.tmpl").substitute(service=spec.name, outputs=outputs)


def dockerfile_name(spec: ServiceSpec) -> str:
    """``<service>.Dockerfile``. BuildKit reads ``<service>.Dockerfile.dockerignore`` beside it before the
    context's ``.dockerignore`` (docker/cli ``docs/reference/commandline/build.md``), and sends the
    Dockerfile apart from the context, so the ignore file may exclude the folder holding it."""
    return f"{spec.name}.Dockerfile"


def dockerignore_name(spec: ServiceSpec) -> str:
    """``<service>.Dockerfile.dockerignore``: the ignore file BuildKit pairs with ``dockerfile_name``."""
    return f"{dockerfile_name(spec)}.dockerignore"


def write_container_files(spec: ServiceSpec, outdir: Path,
                          recipe: ImageRecipe = ImageRecipe(), *, repository_root: bool = False) -> list[Path]:
    """Writes the Dockerfile and its ignore file into ``outdir``; returns the paths written.

    ``repository_root``: True writes ``Dockerfile`` and ``.dockerignore`` (a service repository's
    root, what ``zacatl-infra init`` scaffolds); False (default) writes ``<service>.Dockerfile`` and
    ``<service>.Dockerfile.dockerignore``, several services side by side (``dist/local/compose/``).
    """
    name = "Dockerfile" if repository_root else dockerfile_name(spec)
    ignore = ".dockerignore" if repository_root else dockerignore_name(spec)
    outdir.mkdir(parents=True, exist_ok=True)
    written = [outdir / name, outdir / ignore]
    written[0].write_text(dockerfile(spec, recipe))
    written[1].write_text(dockerignore(spec, recipe))
    return written
