"""Writes every local-development file of an environment: ``compose/`` and ``kind/`` under ``outdir``.

``synth`` calls ``render_local_files(env, dist/<env>)`` for a local environment, in its staging
folder, so these files change atomically with the manifests; ``kubectl apply -f dist/local/`` does
not recurse, so the two sub-folders never reach the cluster.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..config import EnvironmentConfig
from . import commands, compose, container, kind

COMPOSE_SUBDIR = "compose"
KIND_SUBDIR = "kind"


def to_yaml(data: dict[str, Any], header: str) -> str:
    """YAML in the order given (no key sorting), after a ``#`` comment ``header``."""
    body = yaml.safe_dump(data, sort_keys=False, default_flow_style=False, width=120, allow_unicode=True)
    return f"# {header}\n{body}"


def render_local_files(env: EnvironmentConfig, outdir: Path,
                       recipe: container.ImageRecipe = container.ImageRecipe()) -> list[Path]:
    """Writes, for a local environment, and returns the paths written:

    - ``outdir/compose/``: ``docker-compose.yml``, ``docker-compose.prod.yml``, ``.env.example``, and
      per service ``<service>.Dockerfile`` with ``<service>.Dockerfile.dockerignore``;
    - ``outdir/kind/``: ``cluster.yaml`` (kind config) and ``local.mk`` (``make local-up``/``local-down``).
    Raises ValueError for a non-local environment (see ``kind.cluster_config``).
    """
    source = f"rendered by zacatl-infra from environments/{env.name}.py: change the spec and run `make synth`"
    compose_dir, kind_dir = outdir / COMPOSE_SUBDIR, outdir / KIND_SUBDIR
    # Everything is rendered (and validated) before the first file is written.
    files = {
        compose_dir / compose.DEVELOPMENT_FILE: to_yaml(compose.development(env, recipe), f"Development stack, {source}"),
        compose_dir / compose.PRODUCTION_FILE: to_yaml(compose.production(env, recipe), f"Production-like stack, {source}"),
        compose_dir / compose.ENV_EXAMPLE_FILE: compose.env_example(env),
        kind_dir / commands.KIND_CONFIG_FILE: to_yaml(kind.cluster_config(env), f"kind cluster, {source}"),
        kind_dir / commands.MAKEFILE: commands.makefile(env, recipe),
    }
    for spec in env.services:
        files[compose_dir / container.dockerfile_name(spec)] = container.dockerfile(spec, recipe)
        files[compose_dir / container.dockerignore_name(spec)] = container.dockerignore(spec, recipe)
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return list(files)
