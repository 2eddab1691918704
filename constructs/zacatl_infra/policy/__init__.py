"""Checks that run during synth: cdk-nag AwsSolutions and the project's own rules."""

from .eks import EksClusterRules
from .nag import acknowledge, add_policy_plugins, arn_reference, managed_policy_finding

__all__ = ["EksClusterRules", "acknowledge", "add_policy_plugins", "arn_reference", "managed_policy_finding"]
