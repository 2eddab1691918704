"""The AWS CDK feature flags the cloud layer is written and tested against.

They are the flags aws-cdk-lib recommends for new projects (the values `cdk init` writes into a
new project's cdk.json) at the aws-cdk-lib release pyproject.toml pins; the values live in
``cdk_feature_flags.json`` next to this module. Refresh both with every aws-cdk-lib upgrade:
tests/cloud/test_app.py compares them with the installed aws-cdk-lib.
"""

from __future__ import annotations

import json
from datetime import date
from importlib import resources

from .source import Source

_DATA = json.loads(resources.files(__package__).joinpath("cdk_feature_flags.json").read_text(encoding="utf-8"))

#: The aws-cdk-lib release the flags come from.
AWS_CDK_LIB_VERSION: str = _DATA["aws_cdk_lib_version"]
SOURCE = Source(where="npm:aws-cdk-lib/recommended-feature-flags.json", release=AWS_CDK_LIB_VERSION,
                read_on=date.fromisoformat(_DATA["recorded"]))
#: ``"@aws-cdk/<module>:<flag>" -> value``.
FLAGS: dict[str, object] = dict(_DATA["flags"])
