"""cdk-nag 3 as a CDK policy-validation plugin, and the one way this project acknowledges a finding."""

from __future__ import annotations

from collections.abc import Iterable

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct

from .eks import EksClusterRules


def add_policy_plugins(app: cdk.App, *, production_stacks: Iterable[str] = ()) -> None:
    """Runs AwsSolutions and the project's EKS rules on every stack at synth; any finding fails the synth.

    ``production_stacks``: construct paths of production stacks, where a public API endpoint is an
    error. Default: none.
    """
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app), EksClusterRules(production_stacks))


def arn_reference(construct: IConstruct) -> str:
    """How cdk-nag prints the ``Fn::GetAtt Arn`` of an L2 construct's resource in a finding: ``<LogicalId.Arn>``."""
    stack = cdk.Stack.of(construct)
    return f"<{stack.resolve(stack.get_logical_id(construct.node.default_child))}.Arn>"


def managed_policy_finding(policy: str) -> str:
    """The granular AwsSolutions-IAM4 finding id of AWS managed policy ``policy`` (for example ``"service-role/X"``)."""
    return f"IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{policy}]"


def acknowledge(construct: IConstruct, rule: str, reason: str) -> None:
    """Acknowledges AwsSolutions rule ``rule`` (for example ``"S1"``) on ``construct`` and its children.

    Rules with evidence (IAM4, IAM5) report one finding per policy or wildcard, for example
    ``IAM5[Resource::*]``; each must be acknowledged by that full id, which keeps an acknowledgement
    from covering a wildcard added later.

    Validations matches the plugin-prefixed id ``AwsSolutions::AwsSolutions-S1``; a bare id matches
    nothing and silently leaves the finding in place, so the prefix is built here, once.
    """
    if not reason or len(reason) < 20:
        raise ValueError(f"acknowledging AwsSolutions-{rule} needs a reason a reviewer can accept (got {reason!r})")
    cdk.Validations.of(construct).acknowledge(
        cdk.Acknowledgment(id=f"AwsSolutions::AwsSolutions-{rule}", reason=reason)
    )
