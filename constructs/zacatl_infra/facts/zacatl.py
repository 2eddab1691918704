"""The Zacatl runtime contract: what a Zacatl service reads, what it serves, what its image holds.

Read from github.com/sentzunhat/zacatl at tag v0.0.61 (commit dbc180fed953, 2026-08-16) on
2026-11-29, in the files each fact names. Facts only; no upstream code or text is copied.
The Deployment (``k8s/service.py`` through ``zacatl_infra.runtime``) and the contract tests
(``tests/contract/test_zacatl_contract.py``) read these values; nothing else spells them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .source import Source

RELEASE = "v0.0.61"
COMMIT = "dbc180fed9530fdce7c2ff05db213bc6a4eebe15"
READ_ON = date(2026, 11, 29)

_EXAMPLE = "examples/fastify-mongodb-react"


def _file(path: str) -> Source:
    return Source(f"sentzunhat/zacatl:{path}", READ_ON, f"{RELEASE} ({COMMIT[:12]})")


@dataclass(frozen=True)
class Variable:
    """An environment variable a Zacatl process reads: its name, what it changes, where that is read."""

    name: str
    effect: str
    source: Source


DATABASE_URL = Variable(
    "MONGO_URI",
    "MongoDB connection string of the MongoDB example backends; unset, they connect to "
    "mongodb://localhost:27017/greetings-db, fail, and exit with status 1",
    _file(f"{_EXAMPLE}/apps/backend/src/config.ts"),
)
PORT = Variable(
    "PORT",
    "TCP port the HTTP server listens on, on 0.0.0.0 (IPv4 only); the example defaults to 8082",
    _file(f"{_EXAMPLE}/apps/backend/src/config.ts"),
)
APP_ENV = Variable(
    "APP_ENV",
    "environment name: Pino's app.environment field, and the default Mongoose index boot mode "
    "(off for production, prod and staging, create otherwise); falls back to NODE_ENV, then development",
    _file("src/service/layers/infrastructure/orm/mongoose/index-policy.ts"),
)
NODE_ENV = Variable(
    "NODE_ENV",
    "'production' makes Pino write JSON lines; any other value loads the pino-pretty transport",
    _file("src/logs/pino/config.ts"),
)
LOG_LEVEL = Variable("LOG_LEVEL", "Pino log level; default info", _file("src/logs/pino/config.ts"))
SERVICE_NAME = Variable("SERVICE_NAME", "Pino's service field; default zacatl", _file("src/logs/pino/config.ts"))
APP_VERSION = Variable("APP_VERSION", "Pino's app.version field; default 0.0.0", _file("src/logs/pino/config.ts"))
HEALTHCHECK_PATH = Variable(
    "HEALTHCHECK_PATH",
    "read only by the Docker HEALTHCHECK of the examples' image (default /greetings) and the compose "
    "files (/api/greetings for fastify-mongodb-react); the application itself never reads it",
    _file("examples/Dockerfile"),
)

#: Values of APP_ENV (else NODE_ENV) for which the framework's default index boot mode is ``off``.
INDEX_BOOT_OFF_ENVIRONMENTS = frozenset({"production", "prod", "staging"})
#: The reference example overrides that default: it creates indexes only when APP_ENV is one of these
#: (or NODE_ENV is test), so in every other environment indexes are created by a migration, not on boot.
REFERENCE_INDEX_CREATE_ENVIRONMENTS = frozenset({"local", "development"})

#: Routes the framework registers by itself: none. No /health, /ready or /live exists unless the
#: service adds it (src/service/layers/application/entry-points/rest: only the app's handlers).
FRAMEWORK_HEALTH_ROUTES: tuple[str, ...] = ()

#: The reference backend (fastify-mongodb-react): its API prefix and the routes it serves.
REFERENCE_PORT = 8082
REFERENCE_API_PREFIX = "/api"
REFERENCE_ROUTES = (
    ("GET", "/api/greetings"),
    ("GET", "/api/greetings/:id"),
    ("GET", "/api/greetings/random/:language"),
    ("POST", "/api/greetings"),
    ("PUT", "/api/greetings/:id"),
    ("DELETE", "/api/greetings/:id"),
)
#: The route upstream's own compose health check calls (HEALTHCHECK_PATH in docker-compose.yml): a
#: list query, so it answers 200 only while MongoDB answers; the reference readiness probe uses it.
REFERENCE_HEALTHCHECK_ROUTE = "/api/greetings"
REFERENCE_SOURCES = (
    _file(f"{_EXAMPLE}/apps/backend/src/config.ts"),
    _file(f"{_EXAMPLE}/apps/backend/src/application/route-handlers/greetings"),
    _file(f"{_EXAMPLE}/docker-compose.yml"),
)


@dataclass(frozen=True)
class RuntimeImage:
    """The runtime image of the examples' consolidated Dockerfile (its last stage)."""

    base: str
    #: The only executable a probe or lifecycle hook may name: there is no shell and no coreutils.
    node: str
    has_shell: bool
    user_id: int
    group_id: int
    #: Start-up order: databases connect first, then the port opens (src/service/platforms/server/server.ts),
    #: so an open port means "booted and connected".
    port_opens_after_database: bool
    #: SIGTERM closes the HTTP server, then disconnects the databases, then exits 0 (example index.ts).
    graceful_on_sigterm: bool
    source: Source

    @property
    def executables(self) -> frozenset[str]:
        """Binaries present in the image that a command may start."""
        return frozenset({self.node})


RUNTIME_IMAGE = RuntimeImage(
    base="gcr.io/distroless/nodejs26-debian13:nonroot",
    node="/nodejs/bin/node",
    has_shell=False,
    user_id=65532,
    group_id=65532,
    port_opens_after_database=True,
    graceful_on_sigterm=True,
    source=_file("examples/Dockerfile"),
)

#: Every variable of the contract, for the tests and the docs.
VARIABLES = (DATABASE_URL, PORT, APP_ENV, NODE_ENV, LOG_LEVEL, SERVICE_NAME, APP_VERSION, HEALTHCHECK_PATH)
