"""EC2 instance types an EKS managed node group can be given, and the processor each one has.

- ``INSTANCE_TYPES``: every type the EC2 API knows (``ec2_instance_types.json``, the ``InstanceType``
  enum of the EC2 API model shipped in botocore, release and date inside the file). A name outside
  it (``m7i.gigantic``) makes ``CreateNodegroup`` fail at deploy time.
- ``architecture``: Graviton (arm64) or x86_64, from the instance type's name. EC2's naming
  convention puts processor letters after the generation number, ``g`` meaning AWS Graviton, and
  the ``a1`` family is the first Graviton (EC2 user guide, "Amazon EC2 instance type naming
  conventions", read 2026-11-29). aws-cdk-lib 2.275.0 (``InstanceType.architecture`` in
  ``aws-ec2/lib/instance-types``) decides the same way, and its node group refuses instance types
  whose architecture differs from the AMI type's.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Literal

from .source import Source

_DATA = json.loads((Path(__file__).with_name("ec2_instance_types.json")).read_text())
SOURCE = Source(_DATA["source"], date.fromisoformat(_DATA["read_on"]), _DATA["release"])
INSTANCE_TYPES: frozenset[str] = frozenset(_DATA["instance_types"])
NAMING_SOURCE = Source("https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html",
                       date(2026, 11, 29))

_NAME = re.compile(r"^([a-z]+)(\d{1,2})([a-z-]*)\.([a-z0-9-]+)$")

Architecture = Literal["arm64", "x86_64"]


def architecture(instance_type: str) -> Architecture:
    """'m7g.large' -> 'arm64', 'm7i.large' -> 'x86_64'. Raises ValueError for a malformed name."""
    match = _NAME.match(instance_type)
    if not match:
        raise ValueError(f"{instance_type!r} is not an instance type name such as 'm7i.large'")
    family, capabilities = match.group(1), match.group(3)
    return "arm64" if family == "a" or "g" in capabilities else "x86_64"


def family(instance_type: str) -> str:
    """'m7i.large' -> 'm7i'."""
    return instance_type.split(".", 1)[0]
