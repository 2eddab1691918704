"""The ``documentdb`` database kind in config: what it accepts, what it refuses and why."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from zacatl_infra.config import ConfigError, presets
from zacatl_infra.config.database import DatabaseSettings, DocumentDbSettings
from zacatl_infra.facts import documentdb as facts

from ..day1 import day1
from ..documentdb import documentdb_environment


def _refusal(tier: str, **database: object) -> str:
    with pytest.raises(ConfigError) as caught:
        documentdb_environment(tier, **database)
    return str(caught.value)


def test_prod_on_documentdb_with_two_instances_is_accepted_with_the_pinned_engine():
    env = documentdb_environment("prod")
    assert env.database.kind == "documentdb" and env.database.documentdb.instances == 2
    assert env.database.documentdb.engine_version == facts.ENGINE_VERSION in facts.ENGINE_VERSIONS


def test_fails_prod_with_one_instance():
    message = _refusal("prod", instances=1)
    assert "database.documentdb.instances 1 is below the prod minimum 2" in message
    assert "'docdb'" in message


def test_fails_documentdb_on_a_laptop():
    with pytest.raises(ConfigError) as caught:
        presets.environment("local", name="local", domain="zacatl.localhost", database={"kind": "documentdb"},
                            services=(presets.zacatl_example_backend("local", image={"tag": "1.0.0"}),))
    assert "a laptop cluster has no AWS network path; allowed: 'in_cluster'" in str(caught.value)


def test_fails_a_retention_documentdb_cannot_keep_for_point_in_time_restore():
    low, high = facts.BACKUP_RETENTION_DAYS
    with pytest.raises(ConfigError) as caught:
        presets.environment(
            "dev", name="docdev", account="111111111111", region="eu-west-1",
            availability_zones=("eu-west-1a", "eu-west-1b"), domain="d.example.com", **day1("111111111111"),
            database={"kind": "documentdb"}, backups={"retention_days": high + 1},
            services=(presets.zacatl_example_backend("dev", image={"tag": "1.0.0"}),))
    assert f"backups.retention_days {high + 1} is outside what DocumentDB keeps" in str(caught.value)
    assert f"({low}-{high} days)" in str(caught.value)


@pytest.mark.parametrize(("settings", "expected"), [
    ({"engine_version": "3.6.0"}, "'3.6.0' is not a DocumentDB engine version"),
    ({"instance_class": "r6g.large"}, "'r6g.large' is not a DocumentDB instance class"),
    ({"instances": 0}, "greater than or equal to 1"),
])
def test_fails_documentdb_settings_outside_what_documentdb_offers(settings, expected):
    with pytest.raises(ValidationError, match=expected):
        DocumentDbSettings(**settings)


def test_fails_documentdb_settings_with_another_kind():
    with pytest.raises(ValidationError, match="documentdb settings are given but kind is 'in_cluster'"):
        DatabaseSettings(kind="in_cluster", documentdb=DocumentDbSettings())


def test_parameter_group_family_follows_the_engine_version():
    assert facts.parameter_group_family("5.0.0") == "docdb5.0"
    assert facts.parameter_group_family("4.0.0") == "docdb4.0"
