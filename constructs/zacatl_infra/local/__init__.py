"""Local development from the same spec as the cluster: compose files, the container image, kind.

- ``render_local_files(env, outdir)``: every file below, for a local environment (``render``);
- ``compose``: ``docker-compose.yml``, ``docker-compose.prod.yml`` and ``.env.example``;
- ``container``: the service's multi-stage Dockerfile and ``.dockerignore`` (``write_container_files``);
- ``kind``: the kind cluster config; ``commands``: the npm scripts and ``make local-up``/``local-down``.
"""

from .commands import package_scripts
from .container import ImageRecipe, write_container_files
from .render import render_local_files

__all__ = ["ImageRecipe", "package_scripts", "render_local_files", "write_container_files"]
