"""Shared building blocks of the typed configuration: a frozen base model and reusable field types."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, WithJsonSchema

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


class FrozenModel(BaseModel):
    """Immutable, strict about unknown fields: a typo in an environment file is an error, not a no-op."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)


def _dns_label(value: str) -> str:
    # Kubernetes object names, namespaces and label values all accept RFC 1123 labels; keeping every
    # name in that shape means one name works in both layers (S3 and ECR accept it too).
    if len(value) > 40 or not _DNS_LABEL.match(value):
        raise ValueError(
            f"{value!r} is not a DNS-1123 label: use 1-40 lowercase letters, digits or '-', "
            "starting and ending with a letter or digit"
        )
    return value


DnsLabel = Annotated[str, AfterValidator(_dns_label),
                     WithJsonSchema({"type": "string", "maxLength": 40, "pattern": _DNS_LABEL.pattern})]
"""A name that is valid as a Kubernetes object name and as part of an AWS resource name."""
