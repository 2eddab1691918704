"""Alertmanager and the CloudWatch alarms reach the same people: the topic Alertmanager publishes to is
the environment's alarm topic, and the role bound to Alertmanager's ServiceAccount may publish there and
nowhere else. Reads both real outputs (session fixtures).

Facts: an SNS topic encrypted with a customer managed key accepts a publisher's message only if the
publisher may call kms:GenerateDataKey and kms:Decrypt on that key (Amazon SNS developer guide,
"Data encryption" / key management); EKS Pod Identity associates a role with (namespace, ServiceAccount)
(EKS user guide, "Pod Identity").
"""

from __future__ import annotations

import pytest

from zacatl_infra import naming

from ..cloud.helpers import one, pod_identity_associations, resources
from ..conftest import CLOUD_ENVIRONMENT_NAMES


def _statements(template: dict, role_id: str) -> list[dict]:
    return [s for p in resources(template, "AWS::IAM::Policy").values()
            if {"Ref": role_id} in p["Properties"]["Roles"] for s in p["Properties"]["PolicyDocument"]["Statement"]]


def _topic(template: dict, env) -> tuple[str, dict]:
    return one(template, "AWS::SNS::Topic", TopicName=naming.alarm_topic_name(env))


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_alertmanager_publishes_to_the_topic_the_cloudwatch_alarms_use(env_name, workloads, templates, environments):
    env, template = environments[env_name], templates[env_name]
    topic_id, topic = _topic(template, env)
    alarms = resources(template, "AWS::CloudWatch::Alarm")
    assert alarms and all({"Ref": topic_id} in a["Properties"]["AlarmActions"] for a in alarms.values())
    values = workloads[env_name].one("Application", "kube-prometheus-stack")["spec"]["source"]["helm"]["valuesObject"]
    (sns,) = next(r for r in values["alertmanager"]["config"]["receivers"] if r.get("sns_configs"))["sns_configs"]
    # The ARN the template's topic gets: its name, in the stack's account and region.
    assert sns["topic_arn"] == f"arn:aws:sns:{env.region}:{env.account}:{topic['Properties']['TopicName']}"


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_alertmanagers_role_may_publish_to_the_alarm_topic_and_nothing_else(env_name, templates, environments):
    env, template = environments[env_name], templates[env_name]
    associations = pod_identity_associations(template)
    association = associations[naming.ALERTMANAGER_SERVICE_ACCOUNT]
    role_id = association["RoleArn"]["Fn::GetAtt"][0]
    assert resources(template, "AWS::IAM::Role")[role_id]["Properties"]["RoleName"] == f"zacatl-{env.name}-alertmanager"
    topic_id, topic = _topic(template, env)
    key_ref = topic["Properties"]["KmsMasterKeyId"]
    statements = _statements(template, role_id)
    actions = sorted((s["Effect"], tuple(sorted([s["Action"]] if isinstance(s["Action"], str) else s["Action"])))
                     for s in statements)
    assert actions == [("Allow", ("kms:Decrypt", "kms:GenerateDataKey")), ("Allow", ("sns:Publish",))]
    (publish,) = [s for s in statements if s["Action"] == "sns:Publish"]
    assert publish["Resource"] == {"Ref": topic_id} and "Condition" not in publish
    (kms,) = [s for s in statements if s is not publish]
    # Only the topic's own key, and only through SNS in the environment's region.
    assert kms["Resource"] == key_ref
    assert kms["Condition"] == {"StringEquals": {"kms:ViaService": f"sns.{env.region}.amazonaws.com"}}
    # No managed policies on top.
    assert not resources(template, "AWS::IAM::Role")[role_id]["Properties"].get("ManagedPolicyArns")


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_the_alarm_topic_key_lets_account_principals_use_it_through_iam(env_name, templates, environments):
    # The role's KMS grant works only if the key policy delegates to IAM policies of the account.
    template = templates[env_name]
    _, topic = _topic(template, environments[env_name])
    key_id = topic["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0]
    statements = resources(template, "AWS::KMS::Key")[key_id]["Properties"]["KeyPolicy"]["Statement"]
    assert any(s["Action"] == "kms:*" and "root" in str(s["Principal"]) for s in statements)
