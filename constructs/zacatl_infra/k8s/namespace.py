"""The environment's namespace, with Pod Security Standards enforced.

A plain ``cdk8s.ApiObject`` (``raw_fields.PlainApiObject``) rather than cdk8s-plus-27's
``Namespace``: plus's took 2 jsii round trips and this one 4, but the sync-wave pass reads a plain
object's kind without one (it read plus's with one), and the workload layer no longer imports
cdk8s-plus-27 at all, about 150-300 ms per synth (docs/performance.md, phase 3).
"""

from __future__ import annotations

import cdk8s
from constructs import Construct

from .. import naming
from ..config import EnvironmentConfig
from .labels import environment_labels
from .platform import POD_SECURITY_LEVEL
from .raw_fields import PlainApiObject
from .waves import sync_annotations


def pod_security_labels(env: EnvironmentConfig) -> dict[str, str]:
    """Pod Security admission labels: enforce, audit and warn at ``restricted``.

    The version is pinned to the environment's Kubernetes version rather than ``latest``: a cluster
    upgrade then never tightens the policy under running pods; raising
    ``cluster.kubernetes_version`` in the environment file moves both together.
    """
    version = f"v{env.cluster.kubernetes_version}"
    labels: dict[str, str] = {}
    for mode in ("enforce", "audit", "warn"):
        labels[f"pod-security.kubernetes.io/{mode}"] = POD_SECURITY_LEVEL
        labels[f"pod-security.kubernetes.io/{mode}-version"] = version
    return labels


#: The AWS Load Balancer Controller's webhook adds a target-health readiness gate to pods of namespaces
#: with this label: a pod counts as ready only once the ALB sees it healthy, so rollouts drop no requests.
READINESS_GATE_LABEL = "elbv2.k8s.aws/pod-readiness-gate-inject"


def readiness_gate_labels(env: EnvironmentConfig) -> dict[str, str]:
    """``{READINESS_GATE_LABEL: "enabled"}`` in cloud tiers (ALB ingress); none on ``local`` (ingress-nginx)."""
    return {} if env.is_local else {READINESS_GATE_LABEL: "enabled"}


class EnvironmentNamespace(Construct):
    """The namespace every service of the environment runs in, named by ``naming.namespace``.

    Pods that do not meet the ``restricted`` Pod Security Standard are rejected at admission. Cloud tiers
    label it for the load balancer controller's readiness gates (``READINESS_GATE_LABEL``).
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig) -> None:
        super().__init__(scope, id_)
        self.resource = PlainApiObject(
            self, "Resource", api_version="v1", kind="Namespace",
            metadata=cdk8s.ApiObjectMetadata(
                name=naming.namespace(env),
                labels={**environment_labels(env), **pod_security_labels(env), **readiness_gate_labels(env)},
                annotations=sync_annotations("v1", "Namespace"),
            ),
            # What cdk8s-plus wrote: kept so the manifest did not change.
            fields={"spec": {}},
        )
