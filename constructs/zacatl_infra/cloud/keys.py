"""Customer-managed KMS keys: every encrypted resource of the stack gets one with the same defaults."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from constructs import Construct

from ..config import EnvironmentConfig


def customer_key(scope: Construct, id_: str, *, env: EnvironmentConfig, purpose: str, retain: bool = True) -> kms.Key:
    """A key described ``zacatl <env>: <purpose>``, with yearly automatic rotation.

    ``retain``: keep the key when the stack is deleted. Default: kept, because data encrypted with
    it (backups, images, secrets, logs) outlives the stack; pass ``False`` only for transient data.
    """
    return kms.Key(
        scope,
        id_,
        description=f"zacatl {env.name}: {purpose}",
        enable_key_rotation=True,
        removal_policy=cdk.RemovalPolicy.RETAIN if retain else cdk.RemovalPolicy.DESTROY,
    )
