"""ServiceAccounts of the environment's namespace that are not a service's own.

Every in-namespace identity of ``naming.workload_identities(env)`` needs its ServiceAccount here or
in its service's chart: the cloud layer binds an IAM role to that name through EKS Pod Identity.
"""

from __future__ import annotations

import cdk8s
import cdk8s_plus_27 as kplus
from constructs import Construct

from .. import naming
from ..config import EnvironmentConfig
from .labels import environment_labels


class PlatformServiceAccounts(Construct):
    """ServiceAccounts of platform jobs (for example the database backup) in the environment's namespace.

    Service identities are left to ``ZacatlService``, which creates each service's account; add-ons in
    other namespaces (External Secrets, the load balancer controller) get theirs from their charts.
    No API token is mounted: these jobs call AWS, not the Kubernetes API.
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig) -> None:
        super().__init__(scope, id_)
        namespace = naming.namespace(env)
        self.accounts: dict[str, kplus.ServiceAccount] = {}
        for identity in naming.workload_identities(env):
            if identity.namespace != namespace or identity.purpose == "service":
                continue
            self.accounts[identity.service_account] = kplus.ServiceAccount(
                self,
                identity.service_account,
                metadata=cdk8s.ApiObjectMetadata(
                    name=identity.service_account, namespace=namespace, labels=environment_labels(env)
                ),
                automount_token=False,
            )
