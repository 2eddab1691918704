"""cdk-nag 3 as a CDK policy-validation plugin, and the one way this project acknowledges a finding."""

from __future__ import annotations

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct


def add_policy_plugins(app: cdk.App) -> None:
    """Runs AwsSolutions on every stack at synth; any unacknowledged finding fails the synth."""
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))


def acknowledge(construct: IConstruct, rule: str, reason: str) -> None:
    """Acknowledges AwsSolutions rule ``rule`` (for example ``"S1"``) on ``construct`` and its children.

    Validations matches the plugin-prefixed id ``AwsSolutions::AwsSolutions-S1``; a bare id matches
    nothing and silently leaves the finding in place, so the prefix is built here, once.
    """
    if not reason or len(reason) < 20:
        raise ValueError(f"acknowledging AwsSolutions-{rule} needs a reason a reviewer can accept (got {reason!r})")
    cdk.Validations.of(construct).acknowledge(
        cdk.Acknowledgment(id=f"AwsSolutions::AwsSolutions-{rule}", reason=reason)
    )
