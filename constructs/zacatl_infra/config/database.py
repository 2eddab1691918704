"""The environment's MongoDB: where it runs (in the cluster or MongoDB Atlas) and how it is backed up.

One ``DatabaseSettings`` per environment (``EnvironmentConfig.database``); the services that have a
``ServiceSpec.database`` use it. Kinds:

- ``in_cluster``: the official MongoDB image as a StatefulSet in the environment's namespace
  (``k8s/database.py``). For ``local`` and ``dev`` only; prod refuses it (one pod, one volume in one zone).
- ``atlas``: MongoDB Atlas reached through an AWS PrivateLink interface endpoint in the private
  subnets (``cloud/database.py``), whose service name Atlas shows when the private endpoint is
  created (``atlas.endpoint_service_name``).
- ``documentdb``: an Amazon DocumentDB cluster in the private subnets (``cloud/database.py``), backed
  up by AWS Backup and its own point-in-time restore instead of the dump CronJob.

``in_cluster`` and ``atlas`` are backed up by the same CronJob (``k8s/backup.py``): ``mongodump --archive --gzip`` into the
environment's backup bucket, on ``backup.schedule`` in ``backup.time_zone``. The schedule must meet
``backup.rpo_hours``: its longest gap between two runs, over a whole year in that time zone (so
daylight-saving jumps count), may not exceed it.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from cronsim import CronSim, CronSimError
from pydantic import Field, field_validator, model_validator

from ..facts import documentdb
from . import cron_gaps
from ._base import FrozenModel
from .quantity import memory_bytes

DatabaseKind = Literal["in_cluster", "atlas", "documentdb"]
"""Where the environment's MongoDB runs; see the module docstring."""

#: Macros Kubernetes CronJob schedules accept besides five fields (robfig/cron's standard parser).
_MACROS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
           "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"}
#: Atlas shows the PrivateLink endpoint service as com.amazonaws.vpce.<region>.vpce-svc-<17 hex>.
#: DocumentDB instance classes: db.<family>.<size> (db.r6g.large, db.t4g.medium).
_INSTANCE_CLASS = re.compile(r"^db\.[a-z0-9]+\.[a-z0-9]+$")
_ENDPOINT_SERVICE = re.compile(r"^com\.amazonaws\.vpce\.[a-z]{2}(-gov)?-[a-z]+-[0-9]\.vpce-svc-[0-9a-f]{17}$")
#: How long a dump may take after its scheduled start before its absence alerts (the backup Job's
#: activeDeadlineSeconds is shorter, so a run that overruns has already failed by then).
BACKUP_GRACE_HOURS = 1
#: The year the RPO check walks through: any full year holds every weekday pattern and DST jump.
_CHECK_YEAR = 2026


#: The installed IANA zone names: read once, as each read walks the zone database (about 5-20 ms).
_iana_zones = cache(available_timezones)


def five_fields(schedule: str) -> str:
    return _MACROS.get(schedule.strip(), schedule.strip())


@cache  # pure (two strings in, the year fixed); every validation of an environment asks again
def longest_gap(schedule: str, time_zone: str) -> timedelta:
    """The longest interval between two consecutive runs of ``schedule`` (a Kubernetes CronJob
    schedule) over one year, evaluated in ``time_zone`` as the CronJob controller does.

    Raises ValueError for a schedule cronsim cannot parse. Computed by ``cron_gaps`` (same result,
    without walking every run: it runs before a config error can be reported)."""
    try:
        return cron_gaps.longest_gap(five_fields(schedule), time_zone, _CHECK_YEAR)
    except CronSimError as err:
        raise ValueError(str(err)) from err


class BackupSchedule(FrozenModel):
    """When the backup CronJob runs and the recovery point objective it must meet.

    ``schedule``: a Kubernetes CronJob schedule (five fields or a macro such as ``@hourly``).
    Default: daily at 03:00. ``time_zone``: an IANA zone name, Default ``Etc/UTC``; the schedule is
    read in it (CronJob ``spec.timeZone``). ``rpo_hours``: the most data, in hours, a restore from the
    last backup may lose. Default: 24; the prod preset sets 1 (hourly backups).
    """

    schedule: str = Field(
        default="0 3 * * *",
        description=('Kubernetes CronJob schedule of the backup (five fields or a macro such as @hourly), read in '
                     'time_zone. Default: daily at 03:00.'),
    )
    time_zone: str = Field(default="Etc/UTC", description='IANA time zone the schedule is read in. Default: Etc/UTC.')
    # At most 167: the missing-backup alarm watches rpo + 1 hours, and CloudWatch evaluates at most
    # seven days (facts.backups.CLOUDWATCH_MAX_EVALUATION_SECONDS).
    rpo_hours: int = Field(
        default=24, ge=1, le=167,
        description=('Most hours of writes a restore from the last backup may lose; the schedule must meet it over a '
                     'whole year. Default: 24; prod at most 1.'),
    )

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        if "TZ=" in value:
            raise ValueError(f"{value!r}: Kubernetes refuses TZ= in a CronJob schedule; set backup.time_zone instead")
        if len(five_fields(value).split()) != 5:
            raise ValueError(f"{value!r} is not a cron schedule: expected five fields (minute hour day month weekday) "
                             f"or one of {sorted(_MACROS)}")
        try:
            CronSim(five_fields(value), datetime(_CHECK_YEAR, 1, 1))
        except CronSimError as err:
            raise ValueError(f"{value!r} is not a valid cron schedule: {err}") from None
        return value

    @field_validator("time_zone")
    @classmethod
    def _time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone such as 'Etc/UTC' or 'Europe/Dublin'") from None
        if value not in _iana_zones():
            raise ValueError(f"{value!r} is not an IANA time zone such as 'Etc/UTC' or 'Europe/Dublin'")
        return value

    @model_validator(mode="after")
    def _meets_rpo(self) -> BackupSchedule:
        gap = longest_gap(self.schedule, self.time_zone)
        if gap > timedelta(hours=self.rpo_hours):
            raise ValueError(
                f"schedule {self.schedule!r} in {self.time_zone} leaves up to {gap} between backups, more than "
                f"rpo_hours ({self.rpo_hours}); run it at least every {self.rpo_hours} hours (for example '@hourly')")
        return self

    @property
    def longest_gap(self) -> timedelta:
        """The longest interval between two runs (``longest_gap``): the RPO this schedule achieves."""
        return longest_gap(self.schedule, self.time_zone)

    @property
    def missing_after_hours(self) -> int:
        """Hours without a new dump after which both layers alert (the CloudWatch alarm and the
        PrometheusRule): the longest gap, rounded up, plus ``BACKUP_GRACE_HOURS`` for the run itself."""
        return math.ceil(self.longest_gap.total_seconds() / 3600) + BACKUP_GRACE_HOURS


class InClusterDatabase(FrozenModel):
    """MongoDB from the official image as a one-member StatefulSet (``k8s/database.py``).

    ``storage_class``: Default None, the cluster's default StorageClass (gp2/gp3 on EKS, ``standard``
    on kind). ``storage_size``: the PersistentVolumeClaim. Default 10Gi. ``memory_limit``: the
    container's memory; WiredTiger's cache is sized to half of it minus 1 GiB by mongod itself.
    """

    storage_class: str | None = Field(
        default=None,
        description=("StorageClass of the data volume. Default: an encrypted gp3 class in AWS tiers, the cluster's "
                     'default class on a laptop.'),
    )
    storage_size: str = Field(default="10Gi", description='Size of the data volume. Default: 10Gi.')
    cpu_request: str = Field(default="250m", description='CPU request of mongod. Default: 250m.')
    cpu_limit: str = Field(default="1", description='CPU limit of mongod. Default: 1.')
    memory_request: str = Field(default="1Gi", description='Memory request of mongod. Default: 1Gi.')
    memory_limit: str = Field(default="1Gi", description='Memory limit of mongod. Default: 1Gi.')

    @field_validator("storage_size", "memory_request", "memory_limit")
    @classmethod
    def _quantity(cls, value: str) -> str:
        memory_bytes(value)
        return value


class AtlasSettings(FrozenModel):
    """MongoDB Atlas over AWS PrivateLink: the interface endpoint's service name, as Atlas shows it
    (``com.amazonaws.vpce.<region>.vpce-svc-...``)."""

    endpoint_service_name: str = Field(
        description='PrivateLink endpoint service Atlas shows: com.amazonaws.vpce.<region>.vpce-svc-<17 hex>.',
    )

    @field_validator("endpoint_service_name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _ENDPOINT_SERVICE.match(value):
            raise ValueError(f"{value!r} is not a PrivateLink endpoint service name such as "
                             "'com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0'")
        return value


class DocumentDbSettings(FrozenModel):
    """An Amazon DocumentDB cluster (``cloud/database.py``).

    ``instance_class``: Default ``db.t4g.medium`` (burstable; size prod to its working set, for
    example ``db.r6g.large``). ``instances``: one writer plus replicas, spread over the zones.
    Default 1; prod needs at least 2 so a zone loss fails over instead of stopping.
    ``engine_version``: Default ``facts.documentdb.ENGINE_VERSION``. Point-in-time restore covers
    ``backups.retention_days`` of the environment (DocumentDB allows 1-35).
    """

    instance_class: str = Field(
        default="db.t4g.medium",
        description='DocumentDB instance class (db.<family>.<size>). Default: db.t4g.medium.')
    instances: int = Field(
        default=1, ge=1, le=16,
        description='Instances (one writer, the rest replicas across zones). Default: 1; prod at least 2.')
    engine_version: str = Field(
        default=documentdb.ENGINE_VERSION,
        description=f'DocumentDB engine version, one of {list(documentdb.ENGINE_VERSIONS)}. '
                    f'Default: {documentdb.ENGINE_VERSION}.')

    @field_validator("instance_class")
    @classmethod
    def _instance_class(cls, value: str) -> str:
        if not _INSTANCE_CLASS.match(value):
            raise ValueError(f"{value!r} is not a DocumentDB instance class such as 'db.r6g.large'")
        return value

    @field_validator("engine_version")
    @classmethod
    def _engine_version(cls, value: str) -> str:
        if value not in documentdb.ENGINE_VERSIONS:
            raise ValueError(f"{value!r} is not a DocumentDB engine version; allowed: "
                             f"{list(documentdb.ENGINE_VERSIONS)} (facts/documentdb.py)")
        return value


class DatabaseSettings(FrozenModel):
    """The environment's MongoDB and its backups. Default: in the cluster, backed up daily at 03:00 UTC."""

    kind: DatabaseKind = Field(
        default="in_cluster",
        description=("Where MongoDB runs: in_cluster (official image as a StatefulSet; local and dev only), atlas "
                     "(MongoDB Atlas through PrivateLink) or documentdb (Amazon DocumentDB). Default: in_cluster; "
                     "prod refuses it."),
    )
    backup: BackupSchedule = Field(default=BackupSchedule(), description='When the backup CronJob runs, and its RPO.')
    in_cluster: InClusterDatabase = Field(
        default=InClusterDatabase(), description='The in-cluster MongoDB (kind in_cluster).')
    atlas: AtlasSettings | None = Field(default=None, description='MongoDB Atlas (kind atlas). Default: none.')
    documentdb: DocumentDbSettings | None = Field(
        default=None, description='Amazon DocumentDB (kind documentdb). Default: none.')
    dump_scratch_size: str = Field(
        default="20Gi",
        description='Size limit of the scratch volume a dump is written to before its upload. Default: 20Gi.',
    )

    @model_validator(mode="after")
    def _kind_settings(self) -> DatabaseSettings:
        if self.kind == "atlas" and self.atlas is None:
            raise ValueError("kind 'atlas' needs atlas.endpoint_service_name (the PrivateLink service Atlas shows)")
        if self.kind != "atlas" and self.atlas is not None:
            raise ValueError(f"atlas settings are given but kind is {self.kind!r}; allowed: kind 'atlas'")
        if self.kind != "documentdb" and self.documentdb is not None:
            raise ValueError(f"documentdb settings are given but kind is {self.kind!r}; allowed: kind 'documentdb'")
        return self
