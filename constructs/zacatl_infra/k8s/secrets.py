"""Secrets reach pods through External Secrets Operator, never through the manifests.

Cloud environments: one namespaced ``SecretStore`` backed by AWS Secrets Manager (the ESO controller
authenticates with its own EKS Pod Identity, so the store has no auth block), and one
``ExternalSecret`` per service that copies the keys of ``spec.all_secrets`` from the secret
``naming.secret_id(env, spec)`` into the Kubernetes Secret ``naming.kubernetes_secret_name(spec)``.

With ``database.kind`` ``documentdb`` the connection string is not a key of the service's secret:
the ExternalSecret reads the cluster's master secret (``naming.documentdb_secret_id(env)``, rotated
by Secrets Manager) and builds it with a template (``documentdb_uri_template``), so a rotated
password reaches the Secret on the next refresh.

``local``: neither object; the same Secret name is created by hand with ``kubectl create secret``
(see docs/workloads.md), so the Deployment is identical in every tier.

Both are plain ``cdk8s.ApiObject``s (``raw_fields.PlainApiObject``) with dict bodies, not the
generated bindings in ``zacatl_infra.imports`` (STYLE.md's default for custom resources):
importing those cost about 70 ms and a jsii assembly load on every synth (165 ms on a loaded
machine), for objects whose shape the checks validate on the output anyway, against the vendored
CRDs' schemas (``tests/checks/test_kubernetes_schemas.py``). The bindings stay in the package for
code of your own. Same YAML (docs/performance.md, phase 3).
"""

from __future__ import annotations

from typing import Any

import cdk8s
from constructs import Construct

from .. import documentdb_tls, naming
from ..config import EnvironmentConfig, ServiceSpec
from .labels import environment_labels, service_labels
from .raw_fields import PlainApiObject, sorted_fields
from .waves import sync_annotations

#: How often ESO re-reads Secrets Manager: a rotated value reaches the Secret within the hour
#: (pods read it as an environment variable, so they pick it up on their next restart).
REFRESH_INTERVAL = "1h"
#: A DocumentDB connection string follows the master secret, whose single-user rotation changes the
#: password at once: until the Secret follows (and Reloader rolls the pods), new connections fail.
#: Five minutes bounds that window, for at most one read per key per refresh: about 43,000 reads a
#: month per service, about $0.22 (Secrets Manager pricing page: $0.05 per 10,000 API calls).
DOCUMENTDB_REFRESH_INTERVAL = "5m"


#: The External Secrets API version and kinds, as the vendored CRDs serve them (external-secrets v2.9.0,
#: tests/crds/external-secrets.io; the checks validate every object against their schema).
API_VERSION = "external-secrets.io/v1"
EXTERNAL_SECRET = "ExternalSecret"
SECRET_STORE = "SecretStore"


def external_secret_spec(env: EnvironmentConfig, target: str, data: list[tuple[str, str, str]],
                         template: dict[str, Any] | None = None,
                         refresh_interval: str = REFRESH_INTERVAL) -> dict[str, Any]:
    """Spec of an ExternalSecret that fills the Secret ``target`` from the environment's SecretStore.

    ``data``: ``(secret_key, remote key, property)`` triples, in order: the Secret's key gets the JSON
    property of the Secrets Manager secret. The Secret is owned by the ExternalSecret (deleted with
    it) and kept if the remote secret disappears (``deletionPolicy: Retain``). ``template``: Default
    none (each key copied as it is). ``refresh_interval``: a Go duration; default ``REFRESH_INTERVAL``.
    """
    return sorted_fields({
        "refreshInterval": refresh_interval,
        "secretStoreRef": {"kind": SECRET_STORE, "name": naming.secret_store_name(env)},
        "target": {"name": target, "creationPolicy": "Owner", "deletionPolicy": "Retain", "template": template},
        "data": [{"secretKey": key, "remoteRef": {"key": remote, "property": prop}} for key, remote, prop in data],
    })


class AwsSecretStore(Construct):
    """The environment's ``SecretStore`` (name ``naming.secret_store_name(env)``) on AWS Secrets Manager."""

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig) -> None:
        super().__init__(scope, id_)
        if env.is_local or env.region is None:
            raise ValueError(
                f"environment {env.name!r}: a SecretStore needs AWS (tier {env.tier!r}, region {env.region!r}); "
                "allowed: tiers dev, staging, prod with a region"
            )
        self.resource = PlainApiObject(
            self, "Resource", api_version=API_VERSION, kind=SECRET_STORE,
            metadata=cdk8s.ApiObjectMetadata(
                name=naming.secret_store_name(env), namespace=naming.namespace(env), labels=environment_labels(env),
                annotations=sync_annotations(API_VERSION, SECRET_STORE),
            ),
            # No auth block: the ESO controller authenticates with its own EKS Pod Identity.
            fields={"spec": {"provider": {"aws": {"region": env.region, "service": "SecretsManager"}}}},
        )


class ServiceExternalSecret(Construct):
    """The ``ExternalSecret`` that fills the service's Kubernetes Secret from AWS Secrets Manager.

    Each ``SecretRef.key`` is both the JSON key in the Secrets Manager secret and the key in the
    Kubernetes Secret. The Secret is owned by the ExternalSecret (deleted with it) and kept if the
    remote secret disappears, so a mistake in AWS does not take running pods' Secret away.
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig, spec: ServiceSpec) -> None:
        super().__init__(scope, id_)
        if not spec.all_secrets:
            raise ValueError(
                f"environment {env.name!r}, service {spec.name!r}: an ExternalSecret needs at least one entry in "
                "secrets or a database connection_secret (got none)"
            )
        remote_key = naming.secret_id(env, spec)
        data = [(ref.key, remote_key, ref.key) for ref in spec.all_secrets]
        template = None
        if spec.database and env.database.kind == "documentdb":
            uri_key = spec.database.connection_secret.key
            own = [d for d in data if d[0] != uri_key]
            data = own + [(f"documentdb_{k}", naming.documentdb_secret_id(env), k) for k in DOCUMENTDB_KEYS]
            # Replace: only the keys listed here reach the Secret, not the master secret's parts.
            template = {
                "engineVersion": "v2", "mergePolicy": "Replace",
                "data": {**{key: f'{{{{ index . "{key}" }}}}' for key, _, _ in own}, uri_key: documentdb_uri_template(spec)},
            }
        name = naming.kubernetes_secret_name(spec)
        self.resource = PlainApiObject(
            self, "Resource", api_version=API_VERSION, kind=EXTERNAL_SECRET,
            metadata=cdk8s.ApiObjectMetadata(name=name, labels=service_labels(env, spec),
                                             annotations=sync_annotations(API_VERSION, EXTERNAL_SECRET)),
            fields={"spec": external_secret_spec(env, name, data, template,
                                                 DOCUMENTDB_REFRESH_INTERVAL if template else REFRESH_INTERVAL)},
        )


#: Template variables the DocumentDB master secret's JSON keys are read into (``username``,
#: ``password`` from the generated secret; ``host``, ``port`` added by its attachment to the cluster).
DOCUMENTDB_KEYS = ("username", "password", "host", "port")


def documentdb_uri_template(spec: ServiceSpec) -> str:
    """External Secrets (template engine v2) text of ``spec``'s DocumentDB connection string:
    ``mongodb://<user>:<password>@<cluster endpoint>:<port>/<database>?<options>``, the options
    ``documentdb_tls.connection_options()`` (AWS's replica-set options, ``tlsCAFile`` naming the CA
    bundle the image holds, ``authSource=admin``).
    The password holds no URI delimiter (``cloud.database.EXCLUDED_PASSWORD_CHARACTERS``)."""
    assert spec.database is not None
    user, password, host, port = (f'{{{{ index . "documentdb_{k}" }}}}' for k in DOCUMENTDB_KEYS)
    return (f"mongodb://{user}:{password}@{host}:{port}/{spec.database.name}"
            f"?{documentdb_tls.connection_options()}")


def local_secret_command(env: EnvironmentConfig, spec: ServiceSpec) -> str:
    """The ``kubectl create secret generic`` command that stands in for ESO in ``local``."""
    literals = " ".join(f"--from-literal={ref.key}=\"${ref.env_var}\"" for ref in spec.all_secrets)
    return (
        f"kubectl -n {naming.namespace(env)} create secret generic {naming.kubernetes_secret_name(spec)} {literals}"
    )
