"""An environment on Amazon DocumentDB (``database.kind`` ``documentdb``) for tests: no committed
environment uses it (staging and prod rehearse Atlas, dev runs MongoDB in the cluster)."""

from __future__ import annotations

from zacatl_infra.config import EnvironmentConfig, presets

from .day1 import day1

ACCOUNT = "444444444444"


#: A replica key ARN in eu-central-1 of ACCOUNT, for environments that replicate their backups.
REPLICA_KEY_ARN = f"arn:aws:kms:eu-central-1:{ACCOUNT}:key/7a0f3c1e-5b2d-4e8a-9c6f-0d1e2f3a4b5c"
REPLICATED = {"replication_region": "eu-central-1", "replica_key_arn": REPLICA_KEY_ARN}


def documentdb_environment(tier: str = "prod", backups: dict | None = None, service: dict | None = None,
                           **database: object) -> EnvironmentConfig:
    """A ``tier`` environment ``docdb`` in eu-west-1 (three zones) with the reference service, on a
    DocumentDB cluster of two ``db.r6g.large`` instances unless ``database`` says otherwise;
    ``backups``: the environment's backup settings (Default: the preset's); ``service``: fields of the
    reference service to change (Default: none)."""
    settings = {"instances": 2, "instance_class": "db.r6g.large", **database}
    image = {"tag": "1.0.0", "digest": "sha256:" + "a" * 64}
    return presets.environment(
        tier, name="docdb", account=ACCOUNT, region="eu-west-1",
        availability_zones=("eu-west-1a", "eu-west-1b", "eu-west-1c"), domain="docdb.example.com", **day1(ACCOUNT),
        database={"kind": "documentdb", "documentdb": settings}, **({"backups": backups} if backups else {}),
        services=(presets.zacatl_example_backend(tier, image=image, **(service or {})),))
