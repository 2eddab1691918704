"""The ZacatlEks rules fire on deliberately bad clusters and pass on the real ones.

Bad clusters are small L1 stacks (no VPC, no nodes): the plugin reads templates, so what produced
the AWS::EKS::Cluster does not matter, and a tiny stack keeps each synth well under a second.
"""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_eks as eks

from zacatl_infra import naming
from zacatl_infra.policy import EksClusterRules
from zacatl_infra.policy.eks import RULES, cluster_findings

from ..conftest import CLOUD_ENVIRONMENT_NAMES
from ..cloud.helpers import one

GOOD = {
    "endpoint_private_access": True,
    "endpoint_public_access": False,
}
ALL_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
SECRETS = [eks.CfnCluster.EncryptionConfigProperty(
    resources=["secrets"],
    provider=eks.CfnCluster.ProviderProperty(key_arn="arn:aws:kms:eu-west-1:111111111111:key/abc"))]


def _synth(tmp_path: Path, *, production: bool, vpc: dict, logging: list | None = ALL_LOGS,
           encryption: list | None = SECRETS) -> set[str]:
    """Synthesizes one cluster with the plugin; returns the rules that fired (empty when synth succeeded)."""
    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "bad-prod" if production else "bad-dev")
    eks.CfnCluster(
        stack, "Cluster", role_arn="arn:aws:iam::111111111111:role/eks",
        resources_vpc_config=eks.CfnCluster.ResourcesVpcConfigProperty(subnet_ids=["subnet-1", "subnet-2"], **vpc),
        logging=eks.CfnCluster.LoggingProperty(cluster_logging=eks.CfnCluster.ClusterLoggingProperty(
            enabled_types=[eks.CfnCluster.LoggingTypeConfigProperty(type=t) for t in logging]))
        if logging is not None else None,
        encryption_config=encryption,
    )
    cdk.Validations.of(app).add_plugins(EksClusterRules(production_stacks=["bad-prod"]))
    try:
        app.synth()
    except RuntimeError as err:
        assert str(err).startswith("ValidationFailed")
        report = json.loads((tmp_path / "validation-report.json").read_text())
        (plugin,) = [p for p in report["pluginReports"] if p["pluginName"] == "ZacatlEks"]
        return {v["ruleName"] for v in plugin["violations"]}
    return set()


def test_a_compliant_cluster_passes(tmp_path):
    assert _synth(tmp_path, production=True, vpc=GOOD) == set()


def test_fails_public_endpoint_in_production(tmp_path):
    vpc = {"endpoint_public_access": True, "public_access_cidrs": ["203.0.113.0/24"]}
    assert _synth(tmp_path, production=True, vpc=vpc) == {"ZEKS1"}


def test_restricted_public_endpoint_is_allowed_outside_production(tmp_path):
    vpc = {"endpoint_public_access": True, "public_access_cidrs": ["203.0.113.0/24"]}
    assert _synth(tmp_path, production=False, vpc=vpc) == set()


@pytest.mark.parametrize("vpc", [
    {"endpoint_public_access": True, "public_access_cidrs": ["0.0.0.0/0"]},
    {"endpoint_public_access": True, "public_access_cidrs": ["203.0.113.0/24", "::/0"]},
    {"endpoint_public_access": True},
    {},  # CloudFormation's default is a public endpoint open to all
], ids=["ipv4-all", "ipv6-all", "no-cidrs", "defaults"])
def test_fails_an_endpoint_open_to_the_internet_anywhere(tmp_path, vpc):
    assert _synth(tmp_path, production=False, vpc=vpc) == {"ZEKS2"}


def test_fails_missing_control_plane_log_types(tmp_path):
    assert _synth(tmp_path, production=False, vpc=GOOD, logging=ALL_LOGS[:3]) == {"ZEKS3"}


def test_fails_without_control_plane_logging(tmp_path):
    assert _synth(tmp_path, production=False, vpc=GOOD, logging=None) == {"ZEKS3"}


def test_fails_without_secrets_encryption(tmp_path):
    assert _synth(tmp_path, production=False, vpc=GOOD, encryption=None) == {"ZEKS4"}


def test_each_rule_has_a_message_that_says_how_to_fix_it():
    assert sorted(RULES) == ["ZEKS1", "ZEKS2", "ZEKS3", "ZEKS4"]


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_real_clusters_pass_every_rule(env_name, templates, environments):
    env = environments[env_name]
    _, cluster = one(templates[env_name], "AWS::EKS::Cluster", Name=naming.cluster_name(env))
    assert list(cluster_findings(cluster["Properties"], production=env.tier == "prod")) == []


def test_no_eks_rule_is_acknowledged_in_the_real_synth(cloud_dir):
    report = json.loads((cloud_dir / "validation-report.json").read_text())
    assert not [p for p in report["pluginReports"] if p["pluginName"] == "ZacatlEks" and p.get("suppressedViolations")]


def test_synth_pipeline_fails_a_public_endpoint_in_prod(environments, project, tmp_path):
    """The rules are wired into the real synth (`add_policy_plugins` via `synth_cloud`), not only testable alone."""
    from zacatl_infra.synth import synth_cloud

    prod = environments["prod"]
    public = prod.model_copy(update={"cluster": prod.cluster.model_copy(
        update={"public_endpoint_cidrs": ("203.0.113.0/24",)})})
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        synth_cloud([public], tmp_path, project.cdk_context())
    report = json.loads((tmp_path / "validation-report.json").read_text())
    (plugin,) = [p for p in report["pluginReports"] if p["pluginName"] == "ZacatlEks"]
    assert {v["ruleName"] for v in plugin["violations"]} == {"ZEKS1"}
