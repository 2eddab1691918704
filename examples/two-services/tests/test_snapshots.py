"""Both layers of every environment match tests/snapshots/ (re-record: ZACATL_UPDATE_SNAPSHOTS=1 pytest)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services import TwoServices  # noqa: E402 - the repository root is not a package

from zacatl_infra import snapshots  # noqa: E402


def test_output_matches_snapshots():
    differ = snapshots.compare(ROOT, ROOT / "tests" / "snapshots", service_class=TwoServices)
    assert not differ, f"output differs from tests/snapshots/ in {differ}: review, then re-record"
