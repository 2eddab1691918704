"""ServiceAccounts of the environment's namespace that are not a service's own.

Every in-namespace identity of ``naming.workload_identities(env)`` needs its ServiceAccount here or
in its service's chart: the cloud layer binds an IAM role to that name through EKS Pod Identity.

Plain ``cdk8s.ApiObject``s (``raw_fields.PlainApiObject``), as every object of the workload layer,
so it does not import cdk8s-plus-27 (docs/performance.md, phase 3).
"""

from __future__ import annotations

import cdk8s
from constructs import Construct

from .. import naming
from ..config import EnvironmentConfig
from .labels import environment_labels
from .raw_fields import PlainApiObject


class PlatformServiceAccounts(Construct):
    """ServiceAccounts of platform jobs (for example the database backup) in the environment's namespace.

    Service identities are left to ``ZacatlService``, which creates each service's account; add-ons in
    other namespaces (External Secrets, the load balancer controller) get theirs from their charts.
    No API token is mounted: these jobs call AWS, not the Kubernetes API.
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig) -> None:
        super().__init__(scope, id_)
        namespace = naming.namespace(env)
        self.accounts: dict[str, PlainApiObject] = {}
        for identity in naming.workload_identities(env):
            if identity.namespace != namespace or identity.purpose == "service":
                continue
            self.accounts[identity.service_account] = PlainApiObject(
                self, identity.service_account, api_version="v1", kind="ServiceAccount",
                metadata=cdk8s.ApiObjectMetadata(
                    name=identity.service_account, namespace=namespace, labels=environment_labels(env)
                ),
                fields={"automountServiceAccountToken": False},
            )
