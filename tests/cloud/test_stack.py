"""The stack as a whole: customer keys everywhere, rotation on, outputs for the people who deploy."""

from __future__ import annotations

import pytest

from zacatl_infra import naming

from ..conftest import CLOUD_ENVIRONMENT_NAMES
from .helpers import resources

#: Where each encrypted resource type names its key.
ENCRYPTION = {
    "AWS::Logs::LogGroup": lambda p: p.get("KmsKeyId"),
    "AWS::SNS::Topic": lambda p: p.get("KmsMasterKeyId"),
    "AWS::SecretsManager::Secret": lambda p: p.get("KmsKeyId"),
    "AWS::ECR::Repository": lambda p: p.get("EncryptionConfiguration", {}).get("KmsKey"),
}


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_every_key_rotates(env_name, templates):
    keys = resources(templates[env_name], "AWS::KMS::Key").values()
    assert keys and all(k["Properties"]["EnableKeyRotation"] is True for k in keys)


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_logs_topics_secrets_and_images_use_customer_keys(env_name, templates):
    template = templates[env_name]
    keys = set(resources(template, "AWS::KMS::Key"))
    for type_, key_of in ENCRYPTION.items():
        found = resources(template, type_)
        assert found, type_
        for logical_id, resource in found.items():
            key = key_of(resource["Properties"])
            referenced = key.get("Fn::GetAtt", [None])[0] if isinstance(key, dict) else None
            referenced = referenced or (key.get("Ref") if isinstance(key, dict) else None)
            assert referenced in keys, f"{type_} {logical_id} is not encrypted with a key of this stack"


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_every_bucket_is_encrypted_and_private(env_name, templates):
    for logical_id, bucket in resources(templates[env_name], "AWS::S3::Bucket").items():
        props = bucket["Properties"]
        assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"], logical_id
        assert all(props["PublicAccessBlockConfiguration"].values()), logical_id


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_outputs_name_the_cluster_bucket_and_repositories(env_name, templates, environments):
    env = environments[env_name]
    outputs = templates[env_name]["Outputs"]
    assert {"ClusterName", "BackupBucketName", "AlarmTopicArn"} <= set(outputs)
    assert sum(k.startswith("RepositoryUri") for k in outputs) == len(env.services)
    assert templates[env_name]["Description"].endswith(env.name)
    assert naming.stack_name(env) == f"zacatl-{env.name}"
