"""Parsing of Kubernetes quantity strings, so limits can be compared with requests at config time."""

from __future__ import annotations

import re

_QUANTITY = re.compile(r"^([0-9]+(?:\.[0-9]+)?)([a-zA-Z]*)$")
_MEMORY_SUFFIX = {
    "": 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12,
    "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40,
}


def cpu_millicores(value: str) -> float:
    """'250m' -> 250, '1' -> 1000, '0.5' -> 500."""
    match = _QUANTITY.match(value)
    if not match or match.group(2) not in ("", "m"):
        raise ValueError(f"{value!r} is not a CPU quantity: use cores ('1', '0.5') or millicores ('250m')")
    number = float(match.group(1))
    return number if match.group(2) == "m" else number * 1000


def memory_bytes(value: str) -> float:
    """'256Mi' -> 268435456."""
    match = _QUANTITY.match(value)
    if not match or match.group(2) not in _MEMORY_SUFFIX:
        raise ValueError(f"{value!r} is not a memory quantity: use a number with Ki, Mi, Gi (or k, M, G)")
    return float(match.group(1)) * _MEMORY_SUFFIX[match.group(2)]
