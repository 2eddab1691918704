"""Constrained value types shared by every config model: one type per kind of value, so one rule.

- ``DnsName``: a fully qualified host or domain name (every ingress host and environment domain).
- ``HttpPath``: an absolute URL path (probe paths and ingress paths).
- ``CpuQuantity`` / ``MemoryQuantity``: Kubernetes quantities, kept as written and rendered exactly.
- ``ImageRepository``: an OCI image repository name, without tag or digest.
- ``EmailAddress``: where an alarm subscription sends mail.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema

from ..facts import aws_limits
from .quantity import CpuQuantity, MemoryQuantity

# RFC 1123 host names, lowercase only: Route 53 and ACM store names lowercase, and Kubernetes'
# Ingress host field refuses upper case.
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def dns_name(value: str) -> str:
    """Checks a lowercase fully qualified DNS name; see ``DnsName``."""
    labels = value.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels) or not labels[-1][0].isalpha():
        raise ValueError(f"{value!r} is not a lowercase DNS name such as 'api.zacatl.example.com': use labels of "
                         "a-z, 0-9 and '-' joined by dots, ending in a top-level domain")
    long = [label for label in labels if len(label) > aws_limits.DNS_LABEL_MAX]
    if long:
        raise ValueError(f"{value!r} has a label of {len(long[0])} characters ({long[0][:12]}...): DNS allows at most "
                         f"{aws_limits.DNS_LABEL_MAX} per label (RFC 1035)")
    if len(value) > aws_limits.DNS_NAME_MAX:
        raise ValueError(f"{value!r} is {len(value)} characters: DNS names are at most {aws_limits.DNS_NAME_MAX}")
    return value


DnsName = Annotated[str, AfterValidator(dns_name),
                    WithJsonSchema({"type": "string", "format": "hostname", "maxLength": aws_limits.DNS_NAME_MAX})]
"""A lowercase DNS name of two or more labels, each 1-63 characters, at most 253 in all (RFC 1035)."""

# RFC 3986 path characters: unreserved, percent-encoded, sub-delims, ':' and '@', with '/' between
# segments. A space or a '?' is not part of a path; the Ingress API refuses an empty path.
_PATH = re.compile(r"^/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$")


def http_path(value: str) -> str:
    """Checks an absolute URL path; see ``HttpPath``."""
    if not _PATH.match(value):
        raise ValueError(f"{value!r} is not an absolute URL path: start with '/' and use only RFC 3986 path "
                         "characters (letters, digits, '-._~!$&'()*+,;=:@/' or %XX), no spaces or query")
    return value


HttpPath = Annotated[str, AfterValidator(http_path), WithJsonSchema({"type": "string", "pattern": _PATH.pattern})]
"""An absolute URL path such as ``/api/greetings`` (RFC 3986 characters only; no query, no spaces)."""

__all__ = ["CpuQuantity", "DnsName", "EmailAddress", "HttpPath", "ImageRepository", "MemoryQuantity"]

# distribution/reference's grammar (reference/regexp.go): an optional registry host[:port], then
# lowercase path components separated by '/', each alphanumerics joined by '.', '_', '__' or '-'s.
_REGISTRY = r"(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?)"
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REPOSITORY = re.compile(rf"^(?:{_REGISTRY}/)?{_COMPONENT}(?:/{_COMPONENT})*$")
#: distribution/reference: a repository name is at most 255 characters.
REPOSITORY_NAME_MAX = 255


def image_repository(value: str) -> str:
    """Checks an image repository; see ``ImageRepository``."""
    if ":" in value.split("/")[-1] or "@" in value:
        raise ValueError(f"{value!r} carries a tag or digest: give the repository only and set image.tag or "
                         "image.digest")
    if not _REPOSITORY.match(value) or len(value) > REPOSITORY_NAME_MAX:
        raise ValueError(f"{value!r} is not an image repository such as 'ghcr.io/acme/greetings-api': lowercase "
                         "path components of letters and digits joined by '.', '_' or '-', separated by '/', "
                         f"optionally after a registry host; at most {REPOSITORY_NAME_MAX} characters")
    return value


ImageRepository = Annotated[str, AfterValidator(image_repository),
                            WithJsonSchema({"type": "string", "maxLength": REPOSITORY_NAME_MAX,
                                            "pattern": _REPOSITORY.pattern})]
"""An OCI image repository (``[registry[:port]/]path``), without tag or digest."""

_EMAIL = re.compile(r"^[^@\s]+@([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$")


def email_address(value: str) -> str:
    """Checks an e-mail address; see ``EmailAddress``."""
    if not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an email address such as 'oncall@example.com' (lowercase domain)")
    return value


EmailAddress = Annotated[str, AfterValidator(email_address), WithJsonSchema({"type": "string", "format": "email"})]
"""An e-mail address with a lowercase domain, as SNS e-mail subscriptions take."""
