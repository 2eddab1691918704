"""The ``zacatl-infra`` command. ``zacatl-infra init [DIR]`` scaffolds a service repository's deployment folder.

The scaffold (``zacatl_infra/templates/service/``): ``app.py``, ``cdk.json`` (names the app only; the
library sets the CDK feature flags), ``cdk8s.yaml``, ``environments/dev.py`` (a team in the
platform's dev environment), ``tests/test_snapshots.py``, ``package.json`` (Node 24, aws-cdk and
cdk8s-cli pinned), ``requirements.txt``, ``pytest.ini``, a ``Makefile`` with ``make synth`` and ``make test``,
``README.md`` and ``.gitignore``. It synthesizes on the first ``make synth``.
"""

from __future__ import annotations

import argparse
import re
import sys
from importlib import metadata, resources
from pathlib import Path

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


def scaffold_files(*, team: str, service: str, requirement: str) -> dict[str, str]:
    """Relative path -> content of every scaffold file, placeholders filled.

    Raises ValueError when ``team`` or ``service`` is not a DNS-1123 label of 1-40 characters.
    """
    for field, value in (("team", team), ("service", service)):
        if not _DNS_LABEL.match(value):
            raise ValueError(f"{field} {value!r} is not a DNS-1123 label: use 1-40 lowercase letters, digits or '-'")
    values = {"team": team, "service": service, "requirement": requirement, "version": _version()}
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
    return dict(sorted(files.items()))


def init(target: Path, *, team: str, service: str, requirement: str) -> list[Path]:
    """Writes the scaffold into ``target`` (created if missing); returns the files written.

    Refuses to overwrite: raises FileExistsError naming every file that already exists, before
    writing anything.
    """
    files = scaffold_files(team=team, service=service, requirement=requirement)
    existing = sorted(name for name in files if (target / name).exists())
    if existing:
        raise FileExistsError(f"{target}: would overwrite {', '.join(existing)}; nothing was written")
    written = []
    for name, text in files.items():
        path = target / name
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
    init_cmd.add_argument("--team", help="team or service group; default: the folder's name")
    init_cmd.add_argument("--service", help="the first service's name; default: the team")
    init_cmd.add_argument("--requirement", default=f"zacatl-infra=={_version()}",
                          help="how requirements.txt installs the library, for example "
                               "'zacatl-infra @ git+https://<host>/zacatl-infra@v<version>' (default: %(default)s)")
    args = parser.parse_args(argv)
    target: Path = args.directory.resolve()
    team = args.team or target.name
    try:
        written = init(target, team=team, service=args.service or team, requirement=args.requirement)
    except (ValueError, FileExistsError) as err:
        print(f"zacatl-infra init: {err}", file=sys.stderr)
        return 2
    for path in written:
        print(f"  {path.relative_to(target)}")
    print(f"scaffolded {len(written)} files in {target}; next: make synth && make test")
    return 0


if __name__ == "__main__":
    sys.exit(main())
