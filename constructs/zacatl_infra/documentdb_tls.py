"""Verified TLS from a Zacatl pod to Amazon DocumentDB, with no internet egress from the pod.

DocumentDB requires TLS and its certificates chain to the Amazon RDS CAs, which Node does not trust
by default (``facts.documentdb.CA_BUNDLE_URL``). The two halves of the fix are decided here, once:

- the image: the service's Dockerfile (``local/container.py``, also what ``zacatl-infra init``
  writes) fetches the bundle at build time into ``CA_BUNDLE_PATH`` of the runtime stage, readable by
  the unprivileged user, outside every volume the pod mounts;
- the connection string: the ExternalSecret's template (``k8s/secrets.py``) writes
  ``connection_options()`` into ``MONGO_URI``, whose ``tlsCAFile`` names that path
  (``facts.mongodb_driver``: the driver reads it on the first connect and trusts exactly those CAs).

Why ``tlsCAFile`` and not ``NODE_EXTRA_CA_CERTS``: the requirement is then visible in the one value
the service already receives (and the migration Job, which runs the same image with the same
Secret), and an image without the bundle fails at connect with an error naming the missing path
instead of an unverified-certificate error. Why in the image and not a ConfigMap: the bundle
changes when AWS adds a CA and cannot be fetched by an offline synth; an image build fetches the
current one. The CAs the driver loads from the file replace Node's built-in list for that client
only; the bundle holds every CA DocumentDB's certificates chain to, so nothing else is needed.
"""

from __future__ import annotations

from urllib.parse import urlencode

from .facts import documentdb, mongodb_driver

#: Where the runtime image holds the Amazon RDS CA bundle. Under /etc/ssl/certs (read-only root
#: filesystem, owned by root, never shadowed: the pod mounts only /tmp), beside the system bundle.
CA_BUNDLE_PATH = "/etc/ssl/certs/rds-global-bundle.pem"
#: Mode the file gets: a file ADDed from a URL is 0600 and root-owned (Dockerfile reference, "Adding
#: files from a URL"), unreadable by the runtime user 65532; read-only for everyone instead.
CA_BUNDLE_MODE = 0o444
#: The users live in DocumentDB's ``admin`` database; with the service's database in the URI's path a
#: driver would otherwise authenticate against that database.
AUTH_SOURCE = "admin"


def connection_options() -> str:
    """The query of a service's DocumentDB connection string: AWS's replica-set options
    (``facts.documentdb.CONNECTION_OPTIONS``: ``tls=true``, ``replicaSet=rs0``,
    ``readPreference=secondaryPreferred``, ``retryWrites=false``), ``tlsCAFile=CA_BUNDLE_PATH`` and
    ``authSource=admin``. The path is percent-encoded (``%2Fetc%2Fssl...``), as MongoDB's Node driver
    documentation asks of a file path in a connection string; the driver decodes it."""
    extra = urlencode({mongodb_driver.CA_FILE: CA_BUNDLE_PATH, mongodb_driver.AUTH_SOURCE: AUTH_SOURCE}, safe="")
    return f"{documentdb.CONNECTION_OPTIONS}&{extra}"
