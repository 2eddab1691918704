"""Kubernetes quantities for CPU and memory: checked, kept exactly as written, and parsed for comparisons.

The manifests carry the string the environment file wrote (``'512Ki'`` stays ``512Ki``); the parsed
value is used only to compare limits with requests and to size the Node.js heap. Grammar:
kubernetes/apimachinery ``pkg/api/resource/quantity.go`` (decimal number, optional SI or binary
suffix); CPU precision is one millicore (Kubernetes "Resource units": finer values are not allowed).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema

# Kubernetes resource.Quantity: a decimal number and a suffix (apimachinery/pkg/api/resource/quantity.go).
_QUANTITY = re.compile(r"^(?P<number>[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?P<suffix>[A-Za-z]*)$")
_CPU_SUFFIX = {"": Decimal(1000), "m": Decimal(1)}
_MEMORY_SUFFIX = {
    "": Decimal(1), "k": Decimal(10) ** 3, "M": Decimal(10) ** 6, "G": Decimal(10) ** 9, "T": Decimal(10) ** 12,
    "Ki": Decimal(2) ** 10, "Mi": Decimal(2) ** 20, "Gi": Decimal(2) ** 30, "Ti": Decimal(2) ** 40,
}


def _parse(value: str, suffixes: dict[str, Decimal]) -> Decimal | None:
    match = _QUANTITY.match(value)
    if not match or match.group("suffix") not in suffixes:
        return None
    return Decimal(match.group("number")) * suffixes[match.group("suffix")]


def cpu_quantity(value: str) -> str:
    """Checks a CPU quantity; see ``CpuQuantity``."""
    millicores = _parse(value, _CPU_SUFFIX)
    if millicores is None:
        raise ValueError(f"{value!r} is not a CPU quantity: use cores ('1', '0.5') or millicores ('250m')")
    if millicores <= 0:
        raise ValueError(f"{value!r} is no CPU at all: a request or limit must be at least '1m' (the autoscaler "
                         "divides usage by the request)")
    if millicores != millicores.to_integral_value():
        raise ValueError(f"{value!r} is finer than Kubernetes' CPU precision of one millicore: use e.g. '1m'")
    return value


def memory_quantity(value: str) -> str:
    """Checks a memory quantity; see ``MemoryQuantity``."""
    size = _parse(value, _MEMORY_SUFFIX)
    if size is None:
        raise ValueError(f"{value!r} is not a memory quantity: use a whole number with Ki, Mi, Gi (or k, M, G), "
                         "for example '512Mi'")
    if size != size.to_integral_value():
        raise ValueError(f"{value!r} is not a whole number of bytes: use e.g. '512Mi'")
    if size < MIN_MEMORY_BYTES:
        raise ValueError(f"{value!r} is below {MIN_MEMORY_BYTES // 2**20}Mi: a Node.js process needs more to start "
                         "(use at least '64Mi')")
    return value


#: The smallest memory request or limit accepted: Node.js alone needs tens of MiB before the app loads.
MIN_MEMORY_BYTES = 64 * 2**20


def cpu_millicores(value: str) -> int:
    """'250m' -> 250, '1' -> 1000, '0.5' -> 500 (a checked ``CpuQuantity``)."""
    millicores = _parse(cpu_quantity(value), _CPU_SUFFIX)
    assert millicores is not None
    return int(millicores)


def memory_bytes(value: str) -> int:
    """'256Mi' -> 268435456 (a checked ``MemoryQuantity``)."""
    size = _parse(memory_quantity(value), _MEMORY_SUFFIX)
    assert size is not None
    return int(size)


CpuQuantity = Annotated[str, AfterValidator(cpu_quantity),
                        WithJsonSchema({"type": "string", "pattern": r"^([0-9]+(\.[0-9]+)?|\.[0-9]+)m?$"})]
"""CPU as Kubernetes writes it, kept as written and rendered exactly: '250m', '1', '0.5'. At least 1m."""
MemoryQuantity = Annotated[str, AfterValidator(memory_quantity),
                           WithJsonSchema({"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?([kMGT]|[KMGT]i)?$"})]
"""Memory as Kubernetes writes it, kept as written and rendered exactly: '512Mi', '1Gi'. At least 64Mi."""
