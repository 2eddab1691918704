"""Outside facts the backup, restore and alarm paths depend on, each with its source.

Read on 2026-11-29. Code (``cloud/backups.py``, ``cloud/alarms.py``, ``config/database.py``,
``k8s/backup.py``) and the tests read them from here; nothing else spells them.
"""

from __future__ import annotations

from datetime import date

from .source import Source

READ_ON = date(2026, 11, 29)

#: CloudWatch PutMetricAlarm: for periods of an hour or longer, Period x EvaluationPeriods may not
#: exceed seven days (604,800 s); CloudFormation rejects a longer alarm at deploy time.
CLOUDWATCH_MAX_EVALUATION_SECONDS = 7 * 24 * 3600
CLOUDWATCH_SOURCE = Source(
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html", READ_ON)

#: S3 Glacier Instant Retrieval bills every object for at least 90 days, even when a lifecycle rule
#: deletes it sooner (the remainder is charged as an early-deletion fee).
GLACIER_IR_MINIMUM_DAYS = 90
#: S3 storage prices, USD per GB-month, eu-west-1 (first 50 TB): Standard and Glacier Instant Retrieval.
S3_STANDARD_USD_PER_GB_MONTH = 0.023
S3_GLACIER_IR_USD_PER_GB_MONTH = 0.004
S3_PRICING_SOURCE = Source("https://aws.amazon.com/s3/pricing/ (storage, minimum storage duration)", READ_ON)


def glacier_ir_saves_money(days_in_cold: int) -> bool:
    """True when moving an object to Glacier IR for its last ``days_in_cold`` days costs less than
    keeping it in Standard: ``max(90, d) x IR price < d x Standard price`` (transition requests,
    a few cents per thousand objects, are negligible next to dumps of megabytes or more)."""
    cold = max(GLACIER_IR_MINIMUM_DAYS, days_in_cold) * S3_GLACIER_IR_USD_PER_GB_MONTH
    return cold < days_in_cold * S3_STANDARD_USD_PER_GB_MONTH


#: Objects under a default Object Lock retention must be uploaded with Content-MD5 or an SDK checksum
#: header; AWS CLI v2 sends a CRC checksum on every upload from 2.23.0 on (flexible checksums default).
OBJECT_LOCK_CHECKSUM_SOURCE = Source(
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-managing.html", READ_ON)
AWS_CLI_CHECKSUM_DEFAULT_SINCE = "2.23.0"

#: The official MongoDB image (Docker Official Images, docker-library/mongo 8.0/Dockerfile): Ubuntu
#: noble, user and group ``mongodb`` = 999, data in /data/db, HOME=/data/db, and the packages
#: mongodb-org-server, -shell (mongosh) and -tools (mongodump, mongorestore).
MONGO_IMAGE = "mongo:8.0.4"
MONGO_USER_ID = 999
MONGO_DATA_PATH = "/data/db"
MONGO_PORT = 27017
#: Variables the official image's entrypoint reads to create the root user on an empty data directory.
MONGO_ROOT_USERNAME_VARIABLE = "MONGO_INITDB_ROOT_USERNAME"
MONGO_ROOT_PASSWORD_VARIABLE = "MONGO_INITDB_ROOT_PASSWORD"
MONGO_IMAGE_SOURCE = Source("docker-library/mongo:8.0/Dockerfile, 8.0/docker-entrypoint.sh", READ_ON,
                            "3eed4008b42e (MONGO_VERSION 8.0.4)")

#: The AWS CLI's own image (amazon/aws-cli): Amazon Linux with bash and coreutils, entrypoint ``aws``;
#: 2.27.50 is past AWS_CLI_CHECKSUM_DEFAULT_SINCE and reads EKS Pod Identity credentials.
AWS_CLI_IMAGE = "amazon/aws-cli:2.27.50"
AWS_CLI_SOURCE = Source("https://hub.docker.com/r/amazon/aws-cli (tags), aws/aws-cli CHANGELOG", READ_ON)

#: kube-state-metrics series the backup PrometheusRule reads (kube-state-metrics docs/metrics/workload/
#: job-metrics.md and cronjob-metrics.md): a Job's failed condition, its owning CronJob, and the
#: CronJob's last successful run time (seconds since the epoch).
KSM_JOB_FAILED = "kube_job_status_failed"
KSM_JOB_OWNER = "kube_job_owner"
KSM_CRONJOB_LAST_SUCCESS = "kube_cronjob_status_last_successful_time"
KSM_SOURCE = Source("kubernetes/kube-state-metrics:docs/metrics/workload/", READ_ON, "v2.13")
