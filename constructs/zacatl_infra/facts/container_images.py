"""Container images a Zacatl service is built from and run beside, each pinned, with its source.

- ``BUILDER`` and ``RUNTIME``: the two bases of upstream Zacatl's consolidated examples Dockerfile
  (sentzunhat/zacatl ``examples/Dockerfile`` at v0.0.61, commit dbc180fed953), digests as pinned
  there. The builder is Debian 13 (trixie) glibc because the runtime is distroless Debian 13: a
  native module compiled on musl (Alpine) does not load on glibc, and one compiled against a newer
  glibc does not load on an older one, so both stages share Node's major version and Debian's release.
- ``MONGODB``: the official image's 8.0 release line, version from docker-library/mongo
  ``versions.json`` (commit 2c69a57b939a, 2026-06-11).
- ``REDIS``: the official image, version from docker-library/redis ``versions.json`` (commit
  e92049967d6b, 2024-06-28, the newest snapshot readable here; bump it with the others).
All read on 2026-11-29. ``RUNTIME``'s name and user come from ``facts.zacatl.RUNTIME_IMAGE``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from . import zacatl
from .source import Source

_READ_ON = date(2026, 11, 29)
_UPSTREAM_DOCKERFILE = Source("sentzunhat/zacatl:examples/Dockerfile", _READ_ON, f"{zacatl.RELEASE} ({zacatl.COMMIT[:12]})")


@dataclass(frozen=True)
class PinnedImage:
    """An image reference: ``name:tag``, pinned by ``digest`` when one was read from a public source."""

    name: str
    tag: str
    digest: str | None
    source: Source

    @property
    def reference(self) -> str:
        """``name:tag@digest`` (or ``name:tag`` without a digest): what a ``FROM`` or ``image:`` names."""
        pinned = f"{self.name}:{self.tag}"
        return f"{pinned}@{self.digest}" if self.digest else pinned


#: Node 26 on Debian 13 with npm: installs and builds; never shipped.
BUILDER = PinnedImage(
    "node", "26-trixie-slim",
    "sha256:715e55e4b84e4bb0ff48e49b398a848f08e55daed8eb6a0ea1839ae53bc57583", _UPSTREAM_DOCKERFILE,
)
#: The shipped image: ``facts.zacatl.RUNTIME_IMAGE.base`` (distroless Node 26, Debian 13, nonroot).
RUNTIME = PinnedImage(
    *zacatl.RUNTIME_IMAGE.base.rsplit(":", 1),
    "sha256:d440510c9ef4ff874b240bb6b855e4de4e797db283e41d8d506da5085a677f26", _UPSTREAM_DOCKERFILE,
)
#: Node's major version and Debian's release of both stages, as their tags spell them.
NODE_MAJOR = 26
DEBIAN_RELEASE = 13
DEBIAN_CODENAME = "trixie"

MONGODB = PinnedImage("mongo", "8.0.26", None,
                      Source("docker-library/mongo:versions.json", _READ_ON, "2c69a57b939a (2026-06-11)"))
#: The shell client the official image ships since 6.0 (the legacy ``mongo`` shell is gone).
MONGODB_SHELL = "mongosh"
MONGODB_DATA_DIR = "/data/db"
MONGODB_PORT = 27017
REDIS = PinnedImage("redis", "7.2.5", None,
                    Source("docker-library/redis:versions.json", _READ_ON, "e92049967d6b (2024-06-28)"))
