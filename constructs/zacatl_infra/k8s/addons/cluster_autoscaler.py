"""Cluster Autoscaler: adds nodes when pods are Pending, removes unneeded ones, within the managed node
group's ``cluster.node_min``/``node_max``.

Chosen over Karpenter (docs/platform.md says why): it scales the managed node group the stack already
creates, which EKS tags for auto-discovery (``k8s.io/cluster-autoscaler/<cluster>``), and needs no
NodePool/EC2NodeClass, interruption queue or node role of its own.
"""

from __future__ import annotations

from ... import naming
from ...config import EnvironmentConfig
from .addon import AddOn


def addon(env: EnvironmentConfig) -> AddOn | None:
    """Chart ``cluster-autoscaler`` (kubernetes/autoscaler) in ``kube-system``; None when
    ``node_autoscaling.enabled`` is off."""
    if not env.node_autoscaling.enabled:
        return None
    namespace, account = naming.CLUSTER_AUTOSCALER_SERVICE_ACCOUNT
    return AddOn(
        name="cluster-autoscaler", chart_key="cluster-autoscaler", namespace=namespace,
        service_account=naming.CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
        values={
            "cloudProvider": "aws",
            "awsRegion": env.region,
            "autoDiscovery": {"clusterName": naming.cluster_name(env)},
            "fullnameOverride": account,
            "rbac": {"serviceAccount": {"create": True, "name": account}},
            "extraArgs": {
                # Spot node groups list several instance types; balancing keeps zones even.
                "balance-similar-node-groups": True,
                "scale-down-unneeded-time": f"{env.node_autoscaling.scale_down_unneeded_minutes}m",
            },
        },
    )
