"""An environment on Amazon DocumentDB (``database.kind`` ``documentdb``) for tests: no committed
environment uses it (staging and prod rehearse Atlas, dev runs MongoDB in the cluster)."""

from __future__ import annotations

from zacatl_infra.config import EnvironmentConfig, presets

from .day1 import day1

ACCOUNT = "444444444444"


def documentdb_environment(tier: str = "prod", **database: object) -> EnvironmentConfig:
    """A ``tier`` environment ``docdb`` in eu-west-1 (three zones) with the reference service, on a
    DocumentDB cluster of two ``db.r6g.large`` instances unless ``database`` says otherwise."""
    settings = {"instances": 2, "instance_class": "db.r6g.large", **database}
    image = {"tag": "1.0.0", "digest": "sha256:" + "a" * 64}
    return presets.environment(
        tier, name="docdb", account=ACCOUNT, region="eu-west-1",
        availability_zones=("eu-west-1a", "eu-west-1b", "eu-west-1c"), domain="docdb.example.com", **day1(ACCOUNT),
        database={"kind": "documentdb", "documentdb": settings},
        services=(presets.zacatl_example_backend(tier, image=image),))
