"""The typed database choice and backup schedule: bad input is refused with the field and what is allowed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from zacatl_infra.config import ConfigError, presets
from zacatl_infra.config.database import BackupSchedule, DatabaseSettings, longest_gap

from ..day1 import day1

DIGEST = "sha256:" + "c" * 64
ENDPOINT = "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0"
ATLAS = {"kind": "atlas", "atlas": {"endpoint_service_name": ENDPOINT}}


def _env(tier: str = "prod", **overrides):
    fields = {
        "name": tier, "account": "333333333333", "region": "eu-west-1",
        "availability_zones": ("eu-west-1a", "eu-west-1b", "eu-west-1c"), "domain": "zacatl.example.com",
        "database": ATLAS, **day1("333333333333"),
        "services": (presets.zacatl_example_backend(tier, image={"digest": DIGEST}),),
    }
    return presets.environment(tier, **{**fields, **overrides})


def _refusal(tier: str = "prod", **overrides) -> str:
    with pytest.raises(ConfigError) as caught:
        _env(tier, **overrides)
    return str(caught.value)


def test_prod_preset_backs_up_hourly_to_meet_a_one_hour_rpo():
    env = _env()
    assert env.database.backup.rpo_hours == 1
    assert env.database.backup.longest_gap == timedelta(hours=1)
    assert env.database.backup.missing_after_hours == 2


@pytest.mark.parametrize(("database", "expected"), [
    ({**ATLAS, "backup": {"schedule": "0 3 * * *"}},
     "leaves up to 1 day, 0:00:00 between backups, more than rpo_hours (1)"),
    ({**ATLAS, "backup": {"schedule": "0 */2 * * *"}}, "leaves up to 2:00:00 between backups, more than rpo_hours (1)"),
    ({**ATLAS, "backup": {"schedule": "5 * * * *", "rpo_hours": 6}}, "database.backup.rpo_hours 6 is above the prod maximum 1"),
    ({"kind": "in_cluster"}, "database.kind 'in_cluster' is refused in prod"),
    ({**ATLAS, "backup": {"schedule": "61 * * * *"}}, "'61 * * * *' is not a valid cron schedule"),
    ({**ATLAS, "backup": {"schedule": "every hour"}}, "'every hour' is not a cron schedule: expected five fields"),
    ({**ATLAS, "backup": {"schedule": "TZ=Europe/Paris 5 * * * *"}}, "Kubernetes refuses TZ= in a CronJob schedule"),
    ({**ATLAS, "backup": {"time_zone": "Mars/Olympus"}}, "'Mars/Olympus' is not an IANA time zone"),
    # A file of the tz database that is not a zone (ZoneInfo loads it where the system's tzdata has
    # it; zoneinfo.available_timezones leaves it out): refused either way.
    ({**ATLAS, "backup": {"time_zone": "posixrules"}}, "'posixrules' is not an IANA time zone"),
    ({"kind": "atlas"}, "kind 'atlas' needs atlas.endpoint_service_name"),
    ({"kind": "atlas", "atlas": {"endpoint_service_name": "vpce-svc-123"}}, "is not a PrivateLink endpoint service name"),
])
def test_fails_on_invalid_database_settings(database, expected):
    assert expected in _refusal(database=database)


def test_fails_on_retention_shorter_than_the_prod_minimum():
    # config/prod_rules.py's backup-retention invariant (waivable, like every prod invariant).
    assert "prod requires backups.retention_days >= 30 (got 14)" in _refusal(backups={"retention_days": 14})


def test_fails_on_a_glacier_transition_that_costs_more_than_it_saves():
    # Glacier IR bills 90 days minimum (facts.backups): 5 cold days of 35 would be billed as 90.
    message = _refusal(backups={"retention_days": 35, "cold_after_days": 30})
    assert "leaves backups 5 days in Glacier Instant Retrieval, which bills 90 days minimum" in message


@pytest.mark.parametrize(("backups", "expected"), [
    ({"replication_region": "eu-central-1"}, "backups.replication_region is set but backups.replica_key_arn is not"),
    ({"replication_region": "eu-central-1", "replica_key_arn": "arn:aws:kms:eu-central-1:333333333333:alias/x"},
     "is not a KMS key ARN"),
    ({"replication_region": "eu-central-1",
      "replica_key_arn": "arn:aws:kms:us-east-1:333333333333:key/7a0f3c1e-5b2d-4e8a-9c6f-0d1e2f3a4b5c"},
     "replica_key_arn is in 'us-east-1', not in replication_region 'eu-central-1'"),
    ({"replication_region": "eu-central-1",
      "replica_key_arn": "arn:aws:kms:eu-central-1:999999999999:key/7a0f3c1e-5b2d-4e8a-9c6f-0d1e2f3a4b5c"},
     "backups.replica_key_arn belongs to another account"),
])
def test_fails_on_a_replica_key_that_is_not_a_key_arn_of_the_replica_region(backups, expected):
    assert expected in _refusal(backups=backups)


def test_local_refuses_a_cloud_database():
    with pytest.raises(ConfigError, match="a laptop cluster has no AWS network path"):
        presets.environment("local", name="local", domain="zacatl.localtest.me", database=ATLAS,
                            services=(presets.zacatl_example_backend("local", image={"tag": "dev"}),))


def test_dev_may_run_mongodb_in_the_cluster_with_a_daily_backup():
    env = presets.environment("dev", name="dev", account="111111111111", region="eu-west-1",
                              availability_zones=("eu-west-1a", "eu-west-1b"), domain="dev.example.com",
                              **day1("111111111111"),
                              services=(presets.zacatl_example_backend("dev", image={"tag": "1.0.0"}),))
    assert env.database.kind == "in_cluster" and env.database.backup.schedule == "0 3 * * *"


def test_the_rpo_check_counts_daylight_saving_jumps_in_the_schedules_time_zone():
    # 02:30 does not exist on the day Europe/Dublin springs forward (2026-03-29): that run moves
    # past the jump (cronsim follows Vixie cron: 03:30) or is skipped; either way the gap around it
    # exceeds 24 hours, so a daily 02:30 run cannot promise a 24-hour RPO in that zone.
    assert longest_gap("30 2 * * *", "Europe/Dublin") > timedelta(hours=24)
    assert longest_gap("30 2 * * *", "Etc/UTC") == timedelta(hours=24)
    with pytest.raises(ValidationError, match="more than rpo_hours"):
        BackupSchedule(schedule="30 2 * * *", time_zone="Europe/Dublin", rpo_hours=24)


def test_macros_kubernetes_accepts_are_understood():
    assert BackupSchedule(schedule="@hourly", rpo_hours=1).longest_gap == timedelta(hours=1)
    assert DatabaseSettings(backup={"schedule": "@daily"}).backup.missing_after_hours == 25
