"""Pod Identity roles are least privilege; the services' secrets are KMS-encrypted and hold no values."""

from __future__ import annotations

import pytest

from zacatl_infra import naming

from ..conftest import CLOUD_ENVIRONMENT_NAMES
from .helpers import one, resources


def _role(template: dict, role_name: str) -> tuple[str, dict]:
    return one(template, "AWS::IAM::Role", RoleName=role_name)


def _statements(template: dict, role_id: str) -> list[dict]:
    """Every statement of every policy attached to the role."""
    found = []
    for policy in resources(template, "AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            found += policy["Properties"]["PolicyDocument"]["Statement"]
    return found


def _actions(statement: dict) -> set[str]:
    actions = statement["Action"]
    return {actions} if isinstance(actions, str) else set(actions)


def _identity(env, purpose: str):
    return next(i for i in naming.workload_identities(env) if i.purpose == purpose)


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_roles_trust_only_the_pod_identity_agent_of_this_account(env_name, templates, environments):
    env = environments[env_name]
    for identity in naming.workload_identities(env):
        _, role = _role(templates[env_name], identity.role_name)
        for statement in role["Properties"]["AssumeRolePolicyDocument"]["Statement"]:
            assert statement["Principal"] == {"Service": "pods.eks.amazonaws.com"}
            assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": env.account}}
        actions = {a for s in role["Properties"]["AssumeRolePolicyDocument"]["Statement"] for a in _actions(s)}
        assert actions == {"sts:AssumeRole", "sts:TagSession"}


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_backup_role_only_puts_objects_into_the_backup_bucket(env_name, templates, environments):
    env = environments[env_name]
    template = templates[env_name]
    role_id, _ = _role(template, _identity(env, "database-backup").role_name)
    bucket_id, _ = one(template, "AWS::S3::Bucket", BucketName=naming.backup_bucket_name(env))
    statements = _statements(template, role_id)
    actions = set().union(*(_actions(s) for s in statements))
    assert actions == {"s3:PutObject", "s3:AbortMultipartUpload", "kms:GenerateDataKey", "kms:Decrypt"}
    s3_statement = next(s for s in statements if "s3:PutObject" in _actions(s))
    # Only under the dump prefix: the role cannot overwrite anything else in the bucket.
    assert s3_statement["Resource"] == {"Fn::Join": ["", [{"Fn::GetAtt": [bucket_id, "Arn"]},
                                                          f"/{naming.BACKUP_KEY_PREFIX}*"]]}
    assert not any("Delete" in a or "GetObject" in a for a in actions)


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_external_secrets_reads_only_the_services_secrets(env_name, templates, environments):
    env = environments[env_name]
    template = templates[env_name]
    role_id, _ = _role(template, _identity(env, "external-secrets").role_name)
    secret_ids = {one(template, "AWS::SecretsManager::Secret", Name=naming.secret_id(env, s))[0] for s in env.services}
    if env.database.kind == "in_cluster":  # and the in-cluster MongoDB's root user
        secret_ids.add(one(template, "AWS::SecretsManager::Secret", Name=naming.in_cluster_database_secret_id(env))[0])
    statements = _statements(template, role_id)
    secret_statements = [s for s in statements if any(a.startswith("secretsmanager:") for a in _actions(s))]
    assert {a for s in secret_statements for a in _actions(s)} == {
        "secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}
    resources_ = [r for s in secret_statements for r in (s["Resource"] if isinstance(s["Resource"], list)
                                                          else [s["Resource"]])]
    assert sorted(r["Ref"] for r in resources_) == sorted(secret_ids)
    kms = [s for s in statements if any(a.startswith("kms:") for a in _actions(s))]
    assert all(_actions(s) == {"kms:Decrypt"} and "kms:ViaService" in s["Condition"]["StringEquals"] for s in kms)


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_load_balancer_controller_mutations_are_scoped_to_this_cluster(env_name, templates, environments):
    env = environments[env_name]
    template = templates[env_name]
    role_id, _ = _role(template, _identity(env, "load-balancer-controller").role_name)
    statements = _statements(template, role_id)
    assert statements, "the controller role has no policy"
    for statement in statements:
        if statement["Resource"] == "*":
            # Only reads take '*': Describe/Get/List calls have no resource-level permissions.
            assert all(a.split(":")[1].startswith(("Describe", "Get", "List")) for a in _actions(statement)), statement
    deletes = [s for s in statements if _actions(s) & {"elasticloadbalancing:DeleteLoadBalancer",
                                                       "ec2:DeleteSecurityGroup"}]
    assert deletes and all(s["Condition"]["StringEquals"] for s in deletes)


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_service_secrets_are_kms_encrypted_placeholders_and_retained(env_name, templates, environments):
    env = environments[env_name]
    for spec in env.services:
        logical_id, secret = one(templates[env_name], "AWS::SecretsManager::Secret", Name=naming.secret_id(env, spec))
        props = secret["Properties"]
        assert "KmsKeyId" in props
        assert "SecretString" not in props, "a secret value would be readable in the template"
        assert props["GenerateSecretString"]["SecretStringTemplate"] == "{}"
        assert secret["DeletionPolicy"] == "Retain"


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_service_roles_exist_only_for_specs_that_need_aws(env_name, templates, environments):
    env = environments[env_name]
    roles = {r["Properties"].get("RoleName") for r in resources(templates[env_name], "AWS::IAM::Role").values()}
    for spec in env.services:
        assert (f"zacatl-{env.name}-svc-{spec.name}" in roles) == spec.needs_aws_role
