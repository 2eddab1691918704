"""The cloud side of the cross-layer contract: what the manifests name through `naming` exists in AWS.

The workload side (every identity's ServiceAccount exists in the manifests) lives with the
Kubernetes layer; both sides read `naming.workload_identities`, never a copy of it.
"""

from __future__ import annotations

import pytest

from zacatl_infra import naming

from ..cloud.helpers import one, pod_identity_associations
from ..conftest import CLOUD_ENVIRONMENT_NAMES


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_every_workload_identity_has_its_role_bound_on_the_named_cluster(env_name, templates, environments):
    env = environments[env_name]
    template = templates[env_name]
    cluster_id, _ = one(template, "AWS::EKS::Cluster", Name=naming.cluster_name(env))
    associations = pod_identity_associations(template)
    for identity in naming.workload_identities(env):
        association = associations[(identity.namespace, identity.service_account)]
        assert association["ClusterName"] == {"Ref": cluster_id}
        role_id, _ = one(template, "AWS::IAM::Role", RoleName=identity.role_name)
        assert association["RoleArn"] == {"Fn::GetAtt": [role_id, "Arn"]}


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_nothing_is_granted_to_a_service_account_that_is_not_an_identity(env_name, templates, environments):
    env = environments[env_name]
    expected = {(i.namespace, i.service_account) for i in naming.workload_identities(env)}
    assert set(pod_identity_associations(templates[env_name])) == expected


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_named_bucket_repositories_and_secrets_exist(env_name, templates, environments):
    env = environments[env_name]
    template = templates[env_name]
    one(template, "AWS::S3::Bucket", BucketName=naming.backup_bucket_name(env))
    for spec in env.services:
        one(template, "AWS::ECR::Repository", RepositoryName=naming.ecr_repository_name(env, spec))
        one(template, "AWS::SecretsManager::Secret", Name=naming.secret_id(env, spec))


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_manifest_image_repository_points_at_this_stacks_repository(env_name, templates, environments):
    env = environments[env_name]
    for spec in env.services:
        if spec.image.repository:  # an external registry: nothing of this stack to agree with
            continue
        _, repo = one(templates[env_name], "AWS::ECR::Repository",
                      RepositoryName=naming.ecr_repository_name(env, spec))
        assert naming.image_repository_uri(env, spec) == (
            f"{env.account}.dkr.ecr.{env.region}.amazonaws.com/{repo['Properties']['RepositoryName']}")


def test_local_has_no_identities_and_no_stack(environments, templates):
    local = [e for e in environments.values() if e.is_local]
    assert local and all(naming.workload_identities(e) == () for e in local)
    assert all(e.name not in templates for e in local)


def test_replica_bucket_name_requires_a_replication_region(environments):
    with pytest.raises(ValueError, match="replication_region is not set"):
        naming.backup_replica_bucket_name(environments["dev"])
    assert len(naming.backup_replica_bucket_name(environments["prod"])) <= 63  # the S3 bucket name limit
