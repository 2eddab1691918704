#!/usr/bin/env python3
"""Records, for every pin of both lock files, what PyPI says about it: Requires-Python and the
CPython versions its Linux x86-64 wheels are built for. Writes tests/locks/pins.json.

Run it after changing a lock (it needs the internet); tests/test_locks.py reads the file offline
and fails when a pin is missing from it or does not install on a supported Python.

Source: the PyPI JSON API, https://pypi.org/pypi/<project>/json, field ``releases[<version>]``
(``requires_python``, ``filename`` and ``yanked`` of every uploaded file; the same values as the wheels'
METADATA ``Requires-Python`` and their file-name tags, PEP 427).
"""

from __future__ import annotations

import datetime
import json
import re
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCKS = ("requirements.lock", "requirements-checkov.lock")
OUT = ROOT / "tests" / "locks" / "pins.json"
_WHEEL = re.compile(r"^(?P<name>.+?)-(?P<ver>[^-]+)(-\d[^-]*)?-(?P<py>[^-]+)-(?P<abi>[^-]+)-(?P<plat>[^-]+)\.whl$")


def pins(lock: Path) -> dict[str, str]:
    found = {}
    for line in lock.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            found[name] = version
    return found


def describe(name: str, version: str) -> dict[str, object]:
    with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json", timeout=60) as response:
        files = json.load(response)["releases"][version]
    requires = sorted({f["requires_python"] or "" for f in files})
    wheels = []
    for f in files:
        match = _WHEEL.match(f["filename"])
        if not match:
            continue
        plat = match["plat"]
        if plat == "any" or ("linux" in plat and "x86_64" in plat):
            wheels.append(f"{match['py']}-{match['abi']}-{'any' if plat == 'any' else 'linux_x86_64'}")
    return {
        "version": version,
        "requires_python": requires,
        "linux_x86_64_wheels": sorted(set(wheels)),
        "sdist": any(f["packagetype"] == "sdist" for f in files),
        # A yanked file is skipped by pip unless pinned, and yanked for a reason (PEP 592).
        "yanked": sorted({f["yanked_reason"] or "yanked" for f in files if f["yanked"]}),
    }


def main() -> int:
    record: dict[str, object] = {
        "source": "PyPI JSON API https://pypi.org/pypi/<project>/json (releases[<version>]: requires_python, filename)",
        "recorded": datetime.date.today().isoformat(),
        "locks": {},
    }
    for lock in LOCKS:
        record["locks"][lock] = {name: describe(name, version) for name, version in sorted(pins(ROOT / lock).items())}
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(record, indent=1, sort_keys=False) + "\n")
    print(f"recorded {sum(len(v) for v in record['locks'].values())} pins -> {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
