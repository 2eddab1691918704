"""Facts from outside the project, as data files with their source and date, read by code and tests.

- ``cdk_feature_flags.json``: the AWS CDK feature flags the cloud layer is written and tested
  against (read by ``zacatl_infra.cloud.app``).
"""

from __future__ import annotations

import json
from importlib import resources


def load(name: str) -> dict:
    """The parsed JSON fact file ``name`` shipped in this package. Raises FileNotFoundError if absent."""
    return json.loads(resources.files(__name__).joinpath(name).read_text(encoding="utf-8"))
