"""The longest interval between two runs of a cron schedule over a year, without walking every run.

``config.database`` checks every backup schedule against its RPO when an environment is loaded, so
this runs before a config error can be reported. Walking a year with cronsim (the CronJob
controller's semantics, DST included) took about 25 ms for a daily schedule, 65 ms for one every six
hours and 200 ms for an hourly one (prod's), on this project's 2 shared cores: most of the time a
config error took to appear (issue 10's target: under 0.3 s). A schedule whose day fields are all
``*`` (every preset's, and most) runs at the same wall-clock times every day, so outside the days
on which the zone changes its UTC offset the gaps are those of one ordinary day; only the first and
last two days of the year and three days around each offset change are walked with cronsim, and
the result is the same to the second (``tests/config/test_cron_gaps.py`` compares both ways on
zones with DST at 01:00, 02:00, midnight and by 30 minutes). Other schedules walk the whole year.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from functools import cache
from zoneinfo import ZoneInfo

from cronsim import CronSim

#: Days walked with cronsim on each side of a day whose UTC offset changes, and at each end of the year.
_MARGIN = timedelta(days=1)
_WINDOW = timedelta(days=2)


def _walk(expression: str, zone: ZoneInfo, start: datetime, end: datetime) -> timedelta:
    """The longest UTC interval between consecutive cronsim runs after ``start``, up to and including
    the first run at or after ``end``."""
    previous, gap = None, timedelta(0)
    for run in CronSim(expression, start):
        # A naive start (one ordinary day) yields naive runs: their differences are already exact.
        instant = run.astimezone(timezone.utc) if run.tzinfo else run
        if previous is not None:
            gap = max(gap, instant - previous)
        if run >= end:
            break
        previous = instant
    return gap


def _offset_changes(zone: ZoneInfo, year: int) -> list[date]:
    """Days of ``year`` whose local midnight and next local midnight have different UTC offsets."""
    day = date(year, 1, 1)
    offset = datetime(year, 1, 1, tzinfo=zone).utcoffset()
    changes = []
    while day.year == year:
        following = day + timedelta(days=1)
        next_offset = datetime(following.year, following.month, following.day, tzinfo=zone).utcoffset()
        if next_offset != offset:
            changes.append(day)
        day, offset = following, next_offset
    return changes


@cache
def longest_gap(expression: str, time_zone: str, year: int) -> timedelta:
    """The longest interval between two consecutive runs of the five-field cron ``expression`` read
    in ``time_zone``, from the first run after ``year``'s 1 January 00:00 to the first run at or
    after the next year's: what walking every run with cronsim gives. Raises cronsim's
    ``CronSimError`` for an expression it cannot parse."""
    zone = ZoneInfo(time_zone)
    start = datetime(year, 1, 1, tzinfo=zone)
    end = start.replace(year=year + 1)
    if expression.split()[2:] != ["*", "*", "*"]:
        return _walk(expression, zone, start, end)
    # One ordinary day, read without a zone: every gap a day without an offset change has, the one
    # across midnight included.
    naive = datetime(year, 1, 1)
    gap = _walk(expression, zone, naive, naive + _WINDOW)
    windows = [(start, start + _WINDOW), (end - _WINDOW, end)]
    for day in _offset_changes(zone, year):
        local = datetime(day.year, day.month, day.day, tzinfo=zone)
        windows.append((max(start, local - _MARGIN), min(end, local + _WINDOW)))
    for begin, finish in windows:
        gap = max(gap, _walk(expression, zone, begin, finish))
    return gap
