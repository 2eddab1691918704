"""The kind cluster of the ``local`` environment: its config file, from the environment model.

The node image is kind's own for its release (``facts.kind``), and must run the environment's
``cluster.kubernetes_version``: the manifests are validated against that version, so the laptop
cluster runs it too. The pod network is kind's default, written out because the ``local``
services' database egress ranges (their NetworkPolicy) rely on it.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from .. import naming
from ..config import EnvironmentConfig
from ..facts import kind


def cluster_name(env: EnvironmentConfig) -> str:
    """kind cluster name: the environment's cluster name (``naming.cluster_name``), ``zacatl-local``."""
    return naming.cluster_name(env)


def kube_context(env: EnvironmentConfig) -> str:
    """The kubectl context kind writes for the cluster; every command of the kind path names it, so
    none can reach another cluster the kubeconfig holds."""
    return f"{kind.CONTEXT_PREFIX}{cluster_name(env)}"


def cluster_config(env: EnvironmentConfig) -> dict[str, Any]:
    """The kind ``Cluster`` config (``kind.x-k8s.io/v1alpha4``): one control-plane node.

    Raises ValueError when ``env`` is not a local environment, when the pinned node image runs
    another Kubernetes minor than ``env.cluster.kubernetes_version``, or when a service's database
    egress range lies outside kind's pod network (its pods could never reach MongoDB).
    """
    if not env.is_local:
        raise ValueError(f"environment {env.name!r}: a kind cluster is only for a local environment (tier 'local')")
    if env.cluster.kubernetes_version != kind.node_minor():
        raise ValueError(
            f"environment {env.name!r}: field cluster.kubernetes_version is {env.cluster.kubernetes_version!r}, "
            f"but kind {kind.VERSION} runs {kind.node_minor()} ({kind.NODE_IMAGE.reference}); allowed: "
            f"{kind.node_minor()!r}"
        )
    pods = ipaddress.ip_network(kind.POD_SUBNET)
    for spec in env.services:
        for cidr in spec.database.egress_cidrs if spec.database else ():
            if not ipaddress.ip_network(cidr).subnet_of(pods):
                raise ValueError(
                    f"environment {env.name!r}, service {spec.name!r}: field database.egress_cidrs has {cidr!r}, "
                    f"outside kind's pod network {kind.POD_SUBNET}; allowed: a range inside it"
                )
    return {
        "kind": kind.CONFIG_KIND,
        "apiVersion": kind.CONFIG_API_VERSION,
        "name": cluster_name(env),
        "networking": {"podSubnet": kind.POD_SUBNET},
        "nodes": [{"role": "control-plane", "image": kind.NODE_IMAGE.reference}],
    }
