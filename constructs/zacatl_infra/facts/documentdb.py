"""Amazon DocumentDB facts the ``documentdb`` database kind depends on, each with its source.

Code (``config/database.py``, ``cloud/database.py``, ``cloud/database_alarms.py``) and the tests read
them from here; nothing else spells them.
"""

from __future__ import annotations

from datetime import date

from .source import Source

READ_ON = date(2026, 11, 29)

#: Instance-based cluster engine versions DocumentDB creates clusters on (the engine-version
#: supportability table: 3.6 reached end of life in March 2026; 4.0, 5.0 and 8.0 (GA November 2025)
#: are active), and the one pinned here: 5.0, the only one with a long-term-support track, so a prod
#: cluster is not pushed through minor upgrades. Its cluster parameter group family is
#: ``docdb<major.minor>``.
ENGINE_VERSIONS = ("4.0.0", "5.0.0", "8.0.0")
ENGINE_VERSION = "5.0.0"
ENGINE_SOURCE = Source(
    "https://docs.aws.amazon.com/documentdb/latest/developerguide/docdb-engine-version-supportability.html "
    "and release-notes.html", READ_ON)


def parameter_group_family(engine_version: str) -> str:
    """``docdb5.0`` for engine ``5.0.0``: the family a cluster parameter group must name."""
    major, minor, *_ = engine_version.split(".")
    return f"docdb{major}.{minor}"


#: The cluster parameter ``tls``: ``enabled`` refuses every connection without TLS (the default of
#: new parameter groups, written explicitly so a reviewer sees it and nobody turns it off by accident).
TLS_PARAMETER = ("tls", "enabled")
#: Without ``audit_logs`` enabled the audit export carries nothing: it records authentication,
#: DDL (createIndex, dropCollection ...) and role changes. ``profiler`` logs operations slower than
#: ``profiler_threshold_ms`` (100 ms by default).
AUDIT_PARAMETER = ("audit_logs", "enabled")
PROFILER_PARAMETER = ("profiler", "enabled")
AUDIT_SOURCE = Source("https://docs.aws.amazon.com/documentdb/latest/developerguide/event-auditing.html "
                      "and profiling.html", date(2026, 11, 29))
TLS_SOURCE = Source("https://docs.aws.amazon.com/documentdb/latest/developerguide/security.encryption.ssl.html",
                    READ_ON)

#: DocumentDB listens on 27017 by default.
PORT = 27017

#: Point-in-time restore works within the backup retention period, 1 to 35 days.
BACKUP_RETENTION_DAYS = (1, 35)
BACKUP_SOURCE = Source("https://docs.aws.amazon.com/documentdb/latest/developerguide/backup_restore.html", READ_ON)

#: Options AWS documents for connecting as a replica set: TLS on, the fixed replica set name rs0,
#: reads spread to replicas, and no retryable writes (DocumentDB does not support them; a driver
#: that retries writes by default, as the Node driver does, must be told so).
CONNECTION_OPTIONS = "tls=true&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false"
CONNECTION_SOURCE = Source(
    "https://docs.aws.amazon.com/documentdb/latest/developerguide/connect_programmatically.html "
    "(Node.js, TLS enabled) and connect-to-replica-set.html", READ_ON)
#: TLS is on by default on DocumentDB clusters, and the servers' certificates chain to the Amazon
#: RDS certificate authorities (rds-ca-rsa2048-g1 and the others), which are not in Node's built-in
#: CA list: a client verifies them only when given this bundle (AWS's Node.js example passes the
#: downloaded ``global-bundle.pem`` as the driver's ``tlsCAFile``). One bundle holds the CAs of all
#: commercial regions.
CA_BUNDLE_URL = "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"
CA_BUNDLE_SOURCE = Source(
    "https://docs.aws.amazon.com/documentdb/latest/developerguide/ca_cert_rotation.html, "
    "security.encryption.ssl.html and connect_programmatically.html", READ_ON)
#: No checksum is published for the bundle (neither DocumentDB's nor RDS's certificate pages give
#: one), and AWS changes its contents when it adds a CA, so an image build cannot pin one that stays
#: true; it fetches the bundle over HTTPS from AWS's own domain (the server certificate is the check).
CA_BUNDLE_SHA256: str | None = None

#: CloudWatch: namespace of DocumentDB metrics, and the dimension an instance-level metric is
#: published under (also published per cluster, ``DBClusterIdentifier``, and per cluster and role).
METRICS_NAMESPACE = "AWS/DocDB"
INSTANCE_DIMENSION = "DBInstanceIdentifier"
CLUSTER_DIMENSION = "DBClusterIdentifier"
#: The three alarmed metrics: name -> unit CloudWatch reports it in.
METRICS = {"CPUUtilization": "Percent", "DatabaseConnections": "Count", "FreeableMemory": "Bytes"}
METRICS_SOURCE = Source("https://docs.aws.amazon.com/documentdb/latest/developerguide/cloud_watch.html "
                        "(metrics, dimensions)", READ_ON)

#: AWS Secrets Manager's hosted rotation for MongoDB-compatible single users (aws-cdk-lib
#: ``HostedRotation.mongo_db_single_user``), available in the pinned aws-cdk-lib.
ROTATION_SOURCE = Source("aws/aws-cdk:packages/aws-cdk-lib/aws-secretsmanager/lib/rotation-schedule.ts",
                         READ_ON, "v2.275.0")

#: AWS Backup sends job state changes to EventBridge (source ``aws.backup``, best effort, within
#: about 5 minutes); these states mean a recovery point was not made or not copied.
BACKUP_EVENT_SOURCE = "aws.backup"
BACKUP_JOB_EVENT = "Backup Job State Change"
COPY_JOB_EVENT = "Copy Job State Change"
BACKUP_FAILED_STATES = ("FAILED", "ABORTED", "EXPIRED")
#: Event names: the EventBridge event reference for AWS Backup; states: AWS Backup's job state values
#: (the devguide's FAILED example; ABORTED and EXPIRED are the API's other unsuccessful end states).
BACKUP_EVENTS_SOURCE = Source(
    "https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-backup.html and "
    "https://docs.aws.amazon.com/aws-backup/latest/devguide/eventbridge.html", READ_ON)
