"""Local development from the same spec as the cluster: compose files, the container image, kind.

- ``render_local_files(env, outdir)``: every file below, for a local environment (``render``);
- ``compose``: ``docker-compose.yml``, ``docker-compose.prod.yml`` and ``.env.example``;
- ``container``: the service's multi-stage Dockerfile and ``.dockerignore`` (``write_container_files``);
- ``kind``: the kind cluster config; ``commands``: the npm scripts and ``make local-up``/``local-down``.

Re-exports resolve on first use (PEP 562), as the package face does: a service repository's
``app.py`` imports ``ImageRecipe`` (config and facts only) before its environments are validated,
and a config error must still be reported before cdk8s loads (``tests/test_imports.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import module_getattr

_EXPORTS = {
    "ImageRecipe": ".container",
    "package_scripts": ".commands",
    "render_local_files": ".render",
    "write_container_files": ".container",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from .commands import package_scripts
    from .container import ImageRecipe, write_container_files
    from .render import render_local_files

__getattr__ = module_getattr(__name__, _EXPORTS)
