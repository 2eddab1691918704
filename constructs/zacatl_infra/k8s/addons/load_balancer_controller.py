"""AWS Load Balancer Controller: turns the ``alb`` Ingresses into ALBs and injects pod readiness gates.

Values, all from the typed model: the cluster name and region, and the VPC found by the stack's tags
(``naming.stack_tags``; the controller's ``--aws-vpc-tags`` flag) because synth has no lookups and the
controller should not depend on the instance metadata service. Shield, WAF and WAFv2 are switched off
(chart values ``enableShield``/``enableWaf``/``enableWafv2``, default on in the controller): no Ingress of
this project uses them, and the IAM policy (``cloud/lb_controller.py``) leaves their calls out to match.
"""

from __future__ import annotations

from ... import naming
from ...config import EnvironmentConfig
from .addon import AddOn

#: Two controller replicas: the webhook that injects readiness gates must answer while one restarts.
REPLICAS = 2


def addon(env: EnvironmentConfig) -> AddOn:
    """Chart ``aws-load-balancer-controller`` (aws/eks-charts) in ``kube-system``."""
    namespace, account = naming.LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT
    return AddOn(
        name="aws-load-balancer-controller", chart_key="aws-load-balancer-controller", namespace=namespace,
        service_account=naming.LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT,
        values={
            "clusterName": naming.cluster_name(env),
            "region": env.region,
            "vpcTags": naming.stack_tags(env),
            "replicaCount": REPLICAS,
            "serviceAccount": {"create": True, "name": account},
            "enableShield": False,
            "enableWaf": False,
            "enableWafv2": False,
        },
    )
