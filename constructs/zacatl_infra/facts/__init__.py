"""Facts from outside the project (versions, policies, kinds), as data files with their sources."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent


@cache
def load(name: str) -> Any:
    """The parsed JSON fact file ``facts/<name>.json``; raises FileNotFoundError naming it."""
    return json.loads((_HERE / f"{name}.json").read_text())
