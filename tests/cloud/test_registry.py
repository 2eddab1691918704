"""ECR repositories: immutable tags, scan on push, KMS, lifecycle, kept on stack deletion."""

from __future__ import annotations

import json

import pytest

from zacatl_infra import naming
from zacatl_infra.cloud.registry import KEEP_RELEASE_TAGS, UNTAGGED_EXPIRY_DAYS

from ..conftest import CLOUD_ENVIRONMENT_NAMES
from .helpers import one


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_each_service_repository_is_immutable_scanned_and_kms_encrypted(env_name, templates, environments):
    env = environments[env_name]
    for spec in env.services:
        _, repo = one(templates[env_name], "AWS::ECR::Repository", RepositoryName=naming.ecr_repository_name(env, spec))
        props = repo["Properties"]
        assert props["ImageTagMutability"] == "IMMUTABLE"
        assert props["ImageScanningConfiguration"] == {"ScanOnPush": True}
        assert props["EncryptionConfiguration"]["EncryptionType"] == "KMS"
        assert "KmsKey" in props["EncryptionConfiguration"]
        assert repo["DeletionPolicy"] == "Retain"


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_lifecycle_expires_untagged_images_and_keeps_recent_releases(env_name, templates, environments):
    env = environments[env_name]
    _, repo = one(templates[env_name], "AWS::ECR::Repository",
                  RepositoryName=naming.ecr_repository_name(env, env.services[0]))
    rules = json.loads(repo["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"])["rules"]
    untagged, tagged = sorted(rules, key=lambda r: r["rulePriority"])
    assert untagged["selection"] == {"tagStatus": "untagged", "countType": "sinceImagePushed",
                                     "countNumber": UNTAGGED_EXPIRY_DAYS, "countUnit": "days"}
    assert tagged["selection"]["tagStatus"] == "tagged"
    assert tagged["selection"]["countType"] == "imageCountMoreThan"
    assert tagged["selection"]["countNumber"] == KEEP_RELEASE_TAGS


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_registry_replicates_the_environment_repositories_only_when_configured(env_name, templates, environments):
    env = environments[env_name]
    found = [r for r in templates[env_name]["Resources"].values() if r["Type"] == "AWS::ECR::ReplicationConfiguration"]
    if env.registry.replication_region is None:
        assert found == []
        return
    (config,) = found
    (rule,) = config["Properties"]["ReplicationConfiguration"]["Rules"]
    assert rule["Destinations"] == [{"Region": env.registry.replication_region, "RegistryId": env.account}]
    assert rule["RepositoryFilters"] == [{"Filter": naming.ecr_repository_prefix(env), "FilterType": "PREFIX_MATCH"}]
    for spec in env.services:
        assert naming.ecr_repository_name(env, spec).startswith(rule["RepositoryFilters"][0]["Filter"])


def test_prod_replicates_images_for_disaster_recovery(environments):
    assert environments["prod"].registry.replication_region not in (None, environments["prod"].region)
