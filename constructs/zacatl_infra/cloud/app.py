"""`cloud_app()`: the aws-cdk App every zacatl-infra cloud layer is synthesized in, feature flags set.

The constructs are written and tested against the AWS CDK feature flags that aws-cdk-lib recommends
for new projects (without them, synth fails or changes resources: S3 ``objectOwnership`` errors,
unresolved KMS key policies). The library sets them itself, so a service repository's ``cdk.json``
only names its app.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import aws_cdk as cdk

from ..facts import cdk_feature_flags


def feature_flags() -> dict[str, object]:
    """The feature flags (``"@aws-cdk/<module>:<flag>" -> value``) the library's constructs need.

    Source: ``zacatl_infra.facts.cdk_feature_flags.SOURCE`` (aws-cdk-lib's
    ``recommended-feature-flags.json`` of the pinned release, see :func:`feature_flags_version`).
    """
    return dict(cdk_feature_flags.FLAGS)


def feature_flags_version() -> str:
    """The aws-cdk-lib version whose recommended flags :func:`feature_flags` returns, e.g. ``"2.275.0"``."""
    return cdk_feature_flags.AWS_CDK_LIB_VERSION


def cloud_app(*, outdir: str | Path | None = None, context: Mapping[str, object] | None = None,
              builtin_validation: bool = False) -> cdk.App:
    """An ``aws_cdk.App`` with the library's feature flags in its context.

    ``outdir``: where the cloud assembly is written. Default: the folder the AWS CDK CLI names in
    ``CDK_OUTDIR`` when it runs the app, else a temporary folder (aws-cdk's own default).
    ``context``: extra context; a key also in :func:`feature_flags` overrides the library's value.
    Context from the CLI (``cdk.json``, ``--context``) is applied over both, as aws-cdk always does.
    ``builtin_validation``: run the CDK's built-in CloudFormation validation during synth. Default off.

    Stacks added to the App synthesize offline: the library pins availability zones and does no lookups.
    """
    return cdk.App(
        outdir=None if outdir is None else str(outdir),
        context={**feature_flags(), **(context or {})},
        analytics_reporting=False,
        builtin_cloud_formation_validation=builtin_validation,
    )
