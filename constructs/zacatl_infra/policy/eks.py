"""The project's own EKS rules, as a CDK policy-validation plugin that reads the synthesized templates.

Why a plugin and not an aspect: cdk-nag's EKS1/EKS2 only inspect the old ``aws_eks`` classes and
never see an ``aws_eks_v2`` cluster. A plugin checks every ``AWS::EKS::Cluster`` in what is actually
deployed, whichever construct (L1, ``aws_eks``, ``aws_eks_v2``) produced it, and fails the synth
through the same channel as cdk-nag, with the same report. An aspect would see construct props
before late mutations and can only add annotations, which ``app.synth()`` does not turn into a failure.
These rules are not to be acknowledged (a cluster that breaks them must be fixed); a test fails if one is.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable, Iterator

import aws_cdk as cdk
import jsii

#: Every control-plane log type EKS offers, as CloudFormation spells them.
CONTROL_PLANE_LOG_TYPES = frozenset({"api", "audit", "authenticator", "controllerManager", "scheduler"})

RULES = {
    "ZEKS1": "public API endpoint in a production environment: set public_endpoint_cidrs to () in prod",
    "ZEKS2": "public API endpoint open to the whole internet (no PublicAccessCidrs, or 0.0.0.0/0 or ::/0): "
             "restrict it to office or VPN ranges",
    "ZEKS3": "control-plane logging misses log types: enable api, audit, authenticator, controllerManager, scheduler",
    "ZEKS4": "Kubernetes secrets are not envelope-encrypted with a KMS key (EncryptionConfig for 'secrets')",
}


def _open_to_all(cidr: str) -> bool:
    try:
        return ipaddress.ip_network(cidr).prefixlen == 0
    except ValueError:
        return False  # a token or a typo: the EKS API rejects what is not a CIDR


def cluster_findings(properties: dict, *, production: bool) -> Iterator[tuple[str, str]]:
    """(rule, property path) for every rule a ``AWS::EKS::Cluster``'s properties break."""
    vpc = properties.get("ResourcesVpcConfig", {})
    # CloudFormation's default for EndpointPublicAccess is true: a missing value is a public endpoint.
    public = vpc.get("EndpointPublicAccess", True) is not False
    if public and production:
        yield "ZEKS1", "Properties/ResourcesVpcConfig/EndpointPublicAccess"
    cidrs = vpc.get("PublicAccessCidrs")
    if public and (not cidrs or any(isinstance(c, str) and _open_to_all(c) for c in cidrs)):
        yield "ZEKS2", "Properties/ResourcesVpcConfig/PublicAccessCidrs"
    enabled = {t.get("Type") for t in properties.get("Logging", {}).get("ClusterLogging", {}).get("EnabledTypes", [])}
    if not CONTROL_PLANE_LOG_TYPES <= enabled:
        yield "ZEKS3", "Properties/Logging/ClusterLogging/EnabledTypes"
    encryption = properties.get("EncryptionConfig") or []
    if not any("secrets" in (c.get("Resources") or []) and (c.get("Provider") or {}).get("KeyArn") for c in encryption):
        yield "ZEKS4", "Properties/EncryptionConfig"


@jsii.implements(cdk.IPolicyValidationPlugin)
class EksClusterRules:
    """Fails synth on an EKS cluster with a public endpoint in prod (or open to all anywhere), missing
    control-plane log types, or no secrets encryption.

    ``production_stacks``: construct paths of the stacks of production environments (ZEKS1 applies there).
    """

    def __init__(self, production_stacks: Iterable[str] = ()) -> None:
        self._production = frozenset(production_stacks)

    @property
    def name(self) -> str:
        return "ZacatlEks"

    @property
    def version(self) -> str:
        return "1.0.0"

    @property
    def rule_ids(self) -> list[str]:
        return sorted(RULES)

    def validate(self, context: cdk.IPolicyValidationContext) -> cdk.PolicyValidationPluginReport:
        found: dict[str, list[cdk.PolicyViolatingResource]] = {}
        for stack in context.stack_templates:
            with open(stack.template_path) as handle:
                template = json.load(handle)
            production = stack.stack_construct_path in self._production
            for logical_id, resource in template.get("Resources", {}).items():
                if resource.get("Type") != "AWS::EKS::Cluster":
                    continue
                for rule, location in cluster_findings(resource.get("Properties", {}), production=production):
                    found.setdefault(rule, []).append(cdk.PolicyViolatingResource(
                        resource_logical_id=logical_id, template_path=stack.template_path, locations=[location]))
        violations = [cdk.PolicyViolation(rule_name=rule, description=RULES[rule], violating_resources=resources)
                      for rule, resources in sorted(found.items())]
        return cdk.PolicyValidationPluginReport(success=not violations, violations=violations)
