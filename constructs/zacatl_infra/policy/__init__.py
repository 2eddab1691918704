"""Checks that run during synth: cdk-nag AwsSolutions and the project's own rules; the mark of an
assembly that skipped them."""

from .eks import EksClusterRules
from .nag import acknowledge, acknowledge_all, add_policy_plugins, arn_reference, managed_policy_finding
from .unchecked import mark_unchecked

__all__ = ["EksClusterRules", "acknowledge", "acknowledge_all", "add_policy_plugins", "arn_reference",
           "managed_policy_finding", "mark_unchecked"]
