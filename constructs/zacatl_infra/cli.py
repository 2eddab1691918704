"""The ``zacatl-infra`` command. ``zacatl-infra init [DIR]`` scaffolds a service repository's deployment folder.

The scaffold (``zacatl_infra/templates/service/``): ``app.py`` (with the ``ImageRecipe`` of this
layout), ``cdk.json`` (names the app only; the library sets the CDK feature flags), ``cdk8s.yaml``,
``environments/dev.py`` (a team in the platform's dev environment), ``environments/local.py`` (the
same service on a laptop: compose and kind), ``tests/test_snapshots.py``, ``package.json`` (Node 24,
aws-cdk and cdk8s-cli pinned; the scripts ``docker:dev``, ``docker:prod``, ``docker:clean``),
``requirements.txt``, ``pytest.ini``, a ``Makefile`` with ``make synth`` and ``make test`` that includes
the rendered ``dist/local/kind/local.mk`` (``make local-up``, ``make local-down``), ``README.md`` and
``.gitignore``. At the service's root (the folder holding its ``package.json`` and ``src/``): the
service's ``Dockerfile`` and ``.dockerignore`` (``zacatl_infra.local.write_container_files``). It
synthesizes on the first ``make synth``.
"""

from __future__ import annotations

import argparse
import json
import os
import posixpath
import re
import sys
import tempfile
from importlib import metadata, resources
from pathlib import Path, PurePosixPath

_TEMPLATES = "templates/service"
_SUFFIX = ".tmpl"
#: Template files stored without their leading dot, so packaging and tools never treat them as ours.
_HIDDEN = {"gitignore": ".gitignore"}
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$")


def _version() -> str:
    try:
        return metadata.version("zacatl-infra")
    except metadata.PackageNotFoundError:  # imported from a source tree that was never installed
        return "0+unknown"


def _local_files(files: dict[str, str], deployment_dir: str) -> dict[str, str]:
    """The issue-13 files of the scaffold, from its own ``environments/local.py`` (loaded as ``make
    synth`` will load it): each service's Dockerfile and ignore file at the service's root, and the
    npm scripts in the scaffold's package.json, which npm runs from the deployment folder."""
    from .config import load_environments
    from .local import ImageRecipe, package_scripts
    from .local import container

    recipe = ImageRecipe(deployment_dir=deployment_dir)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "local.py").write_text(files["environments/local.py"], encoding="utf-8")
        (env,) = load_environments(Path(tmp), ["local"])
    package = json.loads(files["package.json"])
    package["scripts"] = package_scripts(env, recipe, run_from="deployment")
    extra = {"package.json": json.dumps(package, indent=2) + "\n"}
    if len(env.services) != 1:  # the template has one; two Dockerfiles cannot share the root's name
        raise ValueError(f"environments/local.py: field services has {len(env.services)} services; the scaffold needs one")
    (spec,) = env.services
    # Docker's default names at the service's root: `docker build .` there builds the runtime image.
    root = recipe.service_root
    extra[posixpath.normpath(f"{root}/Dockerfile")] = container.dockerfile(spec, recipe)
    extra[posixpath.normpath(f"{root}/.dockerignore")] = container.dockerignore(spec, recipe)
    return extra


def scaffold_files(*, team: str, service: str, requirement: str, deployment_dir: str = ".") -> dict[str, str]:
    """Path relative to the scaffold's folder (POSIX, ``../Dockerfile`` for one at the service's root
    above it) -> content of every scaffold file, placeholders filled.

    ``deployment_dir``: the scaffold's folder relative to the service's root (``deploy`` for
    ``zacatl-infra init deploy`` run at the root). Default ``.``: one folder for both.
    Raises ValueError when ``team`` or ``service`` is not a DNS-1123 label of 1-40 characters, or when
    ``deployment_dir`` leaves the service's root (``ImageRecipe``).
    """
    from .local.container import ImageRecipe  # config and facts only: no construct library

    for field, value in (("team", team), ("service", service)):
        if not _DNS_LABEL.match(value):
            raise ValueError(f"{field} {value!r} is not a DNS-1123 label: use 1-40 lowercase letters, digits or '-'")
    values = {"team": team, "service": service, "requirement": requirement, "version": _version(),
              "deployment_dir": deployment_dir, "service_root": ImageRecipe(deployment_dir=deployment_dir).service_root}
    root = resources.files("zacatl_infra").joinpath(_TEMPLATES)
    files: dict[str, str] = {}

    def walk(folder, prefix: str) -> None:  # noqa: ANN001 - an importlib.resources Traversable
        for entry in folder.iterdir():
            if entry.is_dir():
                walk(entry, f"{prefix}{entry.name}/")
            elif entry.name.endswith(_SUFFIX):
                name = entry.name.removesuffix(_SUFFIX)
                text = entry.read_text(encoding="utf-8")
                for key, value in values.items():
                    text = text.replace("{{" + key + "}}", value)
                files[prefix + _HIDDEN.get(name, name)] = text

    walk(root, "")
    files.update(_local_files(files, deployment_dir))
    return dict(sorted(files.items()))


def deployment_dir_of(target: Path, service_root: Path) -> str:
    """``target`` relative to ``service_root`` as a POSIX path (``.`` when equal).

    Raises ValueError when ``target`` is not inside ``service_root``.
    """
    try:
        relative = target.resolve().relative_to(service_root.resolve())
    except ValueError:
        raise ValueError(f"--service-root {service_root}: the folder {target} is not inside it") from None
    return str(PurePosixPath(*relative.parts)) if relative.parts else "."


def init(target: Path, *, team: str, service: str, requirement: str, service_root: Path | None = None) -> list[Path]:
    """Writes the scaffold into ``target`` (created if missing) and the service's Dockerfile and
    ``.dockerignore`` into ``service_root``; returns the files written.

    ``service_root``: the service's repository root (its ``package.json`` and ``src/``), ``target`` or
    a folder above it. Default: ``target``.
    Refuses to overwrite: raises FileExistsError naming every file that already exists, before
    writing anything.
    """
    deployment_dir = deployment_dir_of(target, service_root or target)
    files = scaffold_files(team=team, service=service, requirement=requirement, deployment_dir=deployment_dir)
    # Normalised first: `deploy/../Dockerfile` does not exist for the OS while `deploy/` does not.
    paths = {name: Path(os.path.normpath(target / name)) for name in files}
    existing = sorted(name for name, path in paths.items() if path.exists())
    if existing:
        raise FileExistsError(f"{target}: would overwrite {', '.join(existing)}; nothing was written")
    written = []
    for name, text in files.items():
        path = paths[name]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """``zacatl-infra init [DIR] [--team T] [--service S] [--requirement SPEC]``; returns the exit code."""
    parser = argparse.ArgumentParser(prog="zacatl-infra", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    init_cmd = commands.add_parser("init", help="scaffold a service repository's deployment folder")
    init_cmd.add_argument("directory", nargs="?", default=".", type=Path, help="target folder (default: .)")
    init_cmd.add_argument("--team", help="team or service group; default: the service root's folder name")
    init_cmd.add_argument("--service", help="the first service's name; default: the team")
    init_cmd.add_argument("--service-root", type=Path,
                          help="the service's root (its package.json and src/), DIR or a folder above it; the "
                               "Dockerfile goes there; default: the working directory when DIR is inside it, "
                               "else DIR's parent")
    # Required, no default: the library is not published on PyPI (releases are git tags), so a bare
    # `zacatl-infra==<version>` would install whatever package a stranger registers under that name.
    init_cmd.add_argument("--requirement", required=True,
                          help="how requirements.txt installs the library: a git tag such as "
                               "'zacatl-infra @ git+https://<host>/<org>/zacatl-infra@v<version>', or a wheel path "
                               "(zacatl-infra is not on PyPI)")
    args = parser.parse_args(argv)
    target: Path = args.directory.resolve()
    cwd = Path.cwd().resolve()
    service_root = args.service_root or (cwd if target.is_relative_to(cwd) else target.parent)
    team = args.team or service_root.resolve().name
    try:
        written = init(target, team=team, service=args.service or team, requirement=args.requirement,
                       service_root=service_root)
    except (ValueError, FileExistsError) as err:
        print(f"zacatl-infra init: {err}", file=sys.stderr)
        return 2
    for path in written:
        print(f"  {os.path.relpath(path, target)}")
    print(f"scaffolded {len(written)} files in {target}; next: make synth && make test")
    return 0


if __name__ == "__main__":
    sys.exit(main())
