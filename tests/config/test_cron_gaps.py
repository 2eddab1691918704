"""``config.cron_gaps``: the longest interval between backup runs, as walking every run gives, without the walk.

The reference is the walk itself (``_walk`` over the whole year: cronsim 2.8's runs, the CronJob
controller's wall-clock semantics with Debian cron's DST rules, compared in UTC). The zones are
chosen for their 2026 offset changes (tzdata): New York and Dublin at 02:00 / 01:00 local (Dublin's
"winter time" is the negative one), Santiago at midnight, Lord Howe by 30 minutes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from cronsim import CronSim

from zacatl_infra.config import cron_gaps
from zacatl_infra.config.database import longest_gap

YEAR = 2026


def _whole_year(expression: str, time_zone: str) -> timedelta:
    start = datetime(YEAR, 1, 1, tzinfo=ZoneInfo(time_zone))
    return cron_gaps._walk(expression, ZoneInfo(time_zone), start, start.replace(year=YEAR + 1))


@pytest.mark.parametrize(("expression", "time_zone"), [
    ("15 */6 * * *", "Europe/Dublin"),     # the staging preset, every six hours
    ("30 2 * * *", "America/New_York"),    # 02:30 does not exist on the spring day
    ("0 0 * * *", "America/Santiago"),     # midnight does not exist on the spring day
    ("30 1 * * *", "Australia/Lord_Howe"),  # the offset moves by 30 minutes
    ("59 23 * * *", "Etc/UTC"),            # no offset change at all
    ("0 3 1 * *", "Europe/Paris"),         # a day field: the whole year is walked
])
def test_the_longest_gap_is_what_walking_every_run_gives(expression, time_zone):
    assert cron_gaps.longest_gap.__wrapped__(expression, time_zone, YEAR) == _whole_year(expression, time_zone)


def test_a_daily_run_across_the_autumn_change_waits_25_hours():
    # 02:30 exists once on New York's November day (01:00-02:00 repeats), a day of 25 hours; in UTC
    # no day is longer than 24.
    assert longest_gap("30 2 * * *", "America/New_York") == timedelta(hours=25)
    assert longest_gap("30 2 * * *", "Etc/UTC") == timedelta(hours=24)


def test_an_hourly_schedule_walks_days_not_the_year(monkeypatch):
    # What makes it fast enough to run before a config error is reported: the prod preset's hourly
    # schedule took 8,760 cronsim runs (about 200 ms here); now a few days' worth around each change.
    runs = []
    original = CronSim.__next__
    monkeypatch.setattr(CronSim, "__next__", lambda self: (runs.append(1), original(self))[1])
    assert cron_gaps.longest_gap.__wrapped__("5 * * * *", "Europe/Dublin", YEAR) == timedelta(hours=1)
    assert 48 <= len(runs) <= 500, len(runs)


def test_fails_on_a_schedule_cronsim_cannot_read():
    with pytest.raises(ValueError, match="Bad minute"):
        longest_gap("61 * * * *", "Etc/UTC")
