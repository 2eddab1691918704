"""cdk-nag 3 as a CDK policy-validation plugin, and the one way this project acknowledges a finding.

cdk-nag is imported only by ``add_policy_plugins``: loading it costs about 0.25 s of CPU (its jsii
assembly), which `python app.py` does not pay because it does not run the checks (``synth.py``,
docs/performance.md). ``acknowledge`` needs only aws-cdk-lib: an acknowledgement is construct
metadata that the plugin reads when it runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import aws_cdk as cdk
from constructs import IConstruct

from .eks import EksClusterRules

#: Shortest reason accepted: a word or two tells a reviewer nothing.
MIN_REASON = 20


def add_policy_plugins(app: cdk.App, *, production_stacks: Iterable[str] = ()) -> None:
    """Runs AwsSolutions and the project's EKS rules on every stack at synth; any finding fails the synth.

    ``production_stacks``: construct paths of production stacks, where a public API endpoint is an
    error. Default: none.
    """
    from cdk_nag import AwsSolutionsChecks

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
    Raises ValueError when ``reason`` is shorter than ``MIN_REASON`` characters.
    """
    acknowledge_all(construct, {rule: reason})


def acknowledge_all(construct: IConstruct, reasons: Mapping[str, str]) -> None:
    """``acknowledge`` for several rules of one construct: rule (as for ``acknowledge``) -> reason.

    One call to the jsii kernel for all of them instead of two per rule, which is what a hot
    construct with many findings (a policy with several wildcards) wants.
    Raises ValueError when a reason is shorter than ``MIN_REASON`` characters.
    """
    for rule, reason in reasons.items():
        if not reason or len(reason) < MIN_REASON:
            raise ValueError(f"acknowledging AwsSolutions-{rule} needs a reason a reviewer can accept (got {reason!r})")
    cdk.Validations.of(construct).acknowledge(*(
        cdk.Acknowledgment(id=f"AwsSolutions::AwsSolutions-{rule}", reason=reason) for rule, reason in reasons.items()))
