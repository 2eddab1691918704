"""`ServiceStack`: one team's services in the platform's environment, in the team's own names.

Synthesized once for this module through the same cloud_app() and policy plugins as every stack
(cdk-nag AwsSolutions and the EKS rules fail the synth on any open finding); cfn-lint and checkov
then run over the template as over the environments' (tests/checks/).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zacatl_infra import naming
from zacatl_infra.cloud.app import cloud_app
from zacatl_infra.cloud.service_stack import ServiceStack
from zacatl_infra.config import EnvironmentConfig, presets
from zacatl_infra.policy import add_policy_plugins
from zacatl_infra.synth import render_workloads

from ..checks.reports import cfn_lint_part, checkov_part
from ..checks.test_cloud_cfn_lint import ALLOWED_WARNINGS
from ..conftest import RenderedEnvironment
from ..variants import SERVICE_STACK
from .helpers import pod_identity_associations, resources


def _team_env(platform: EnvironmentConfig, **fields) -> EnvironmentConfig:
    """The platform's dev environment as a team's service repository describes it: same account,
    region, zones and domain; its own services."""
    return presets.environment(
        platform.tier, name=platform.name, team="payments", account=platform.account, region=platform.region,
        availability_zones=platform.availability_zones, domain=platform.domain,
        access=platform.access, dns=platform.dns, gitops=platform.gitops,
        services=(
            presets.service(platform.tier, name="billing-worker", image={"tag": "1.0.0"}, container_port=3000,
                            health={"readiness_path": "/ready"},
                            secrets=({"env_var": "STRIPE_API_KEY", "key": "stripe-api-key"},), needs_aws_role=True,
                            aws_apis=("sqs",)),
            presets.service(platform.tier, name="ledger-api", image={"tag": "2.3.1"},
                            health={"readiness_path": "/ready"}),
        ),
        **fields,
    )


@pytest.fixture(scope="module")
def team_env(environments) -> EnvironmentConfig:
    return _team_env(environments["dev"])


@pytest.fixture(scope="module")
def synthesized(team_env, tmp_path_factory) -> tuple[Path, dict]:
    outdir = tmp_path_factory.mktemp("service-stack")
    app = cloud_app(outdir=outdir)
    ServiceStack(app, naming.stack_name(team_env), env=team_env)
    add_policy_plugins(app)
    app.synth()
    path = outdir / f"{naming.stack_name(team_env)}.template.json"
    return path, json.loads(path.read_text())


@pytest.fixture(scope="module")
def template(synthesized) -> dict:
    return synthesized[1]


def test_stack_and_namespace_names_include_the_team(team_env, environments):
    assert naming.stack_name(team_env) == "zacatl-dev-payments" != naming.stack_name(environments["dev"])
    assert naming.namespace(team_env) == "zacatl-dev-payments" != naming.namespace(environments["dev"])
    assert naming.cluster_name(team_env) == naming.cluster_name(environments["dev"])


def test_one_repository_per_service_under_the_prefix_the_platform_replicates(template, team_env):
    names = sorted(r["Properties"]["RepositoryName"] for r in resources(template, "AWS::ECR::Repository").values())
    assert names == ["zacatl-dev/payments/billing-worker", "zacatl-dev/payments/ledger-api"]
    assert all(n.startswith(naming.ecr_repository_prefix(team_env)) for n in names)


def test_one_secret_per_service_with_secret_values_readable_by_the_platform_external_secrets_role(template, team_env):
    secrets = {r["Properties"]["Name"]: k for k, r in resources(template, "AWS::SecretsManager::Secret").items()}
    # ledger-api has no secret values: no secret, as the workload layer renders no ExternalSecret for it.
    assert sorted(secrets) == ["zacatl/dev/payments/billing-worker"]
    (policy,) = resources(template, "AWS::IAM::Policy").values()
    # Imported by name, as the platform stack names it: no lookup, no export.
    assert policy["Properties"]["Roles"] == [naming.external_secrets_role_name(team_env)] == ["zacatl-dev-external-secrets"]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    read = [s for s in statements if "secretsmanager:GetSecretValue" in s["Action"]]
    granted = [r["Ref"] for s in read for r in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])]
    assert sorted(granted) == sorted(secrets.values())
    assert not any(s["Resource"] == "*" for s in statements)


def test_pod_identity_only_for_services_that_ask_in_the_team_namespace(template, team_env):
    associations = pod_identity_associations(template)
    assert set(associations) == {("zacatl-dev-payments", "billing-worker")}
    (association,) = associations.values()
    assert association["ClusterName"] == naming.cluster_name(team_env)
    (role,) = resources(template, "AWS::IAM::Role").values()
    assert role["Properties"]["RoleName"] == "zacatl-dev-payments-svc-billing-worker"
    # No platform identity (External Secrets, load balancer controller) is created twice.
    assert not any(a[1] in ("external-secrets", "aws-load-balancer-controller") for a in associations)


def test_no_platform_resource_in_a_team_stack(template):
    types = {r["Type"] for r in template["Resources"].values()}
    assert types <= {"AWS::ECR::Repository", "AWS::KMS::Key", "AWS::SecretsManager::Secret", "AWS::IAM::Policy",
                     "AWS::IAM::Role", "AWS::EKS::PodIdentityAssociation", "AWS::CertificateManager::Certificate"}, types


def test_team_hosts_get_a_certificate_validated_in_the_platform_zone(template, team_env):
    (certificate,) = resources(template, "AWS::CertificateManager::Certificate").values()
    names = [certificate["Properties"]["DomainName"], *certificate["Properties"].get("SubjectAlternativeNames", [])]
    assert sorted(names) == sorted(naming.certificate_domains(team_env)) == ["billing-worker.dev.zacatl.example.com",
                                                                            "ledger-api.dev.zacatl.example.com"]
    (validation,) = certificate["Properties"]["DomainValidationOptions"][:1]
    assert validation["HostedZoneId"] == team_env.dns.hosted_zone_id


def test_fails_without_a_team(environments):
    app = cloud_app()
    with pytest.raises(ValueError, match="environment 'dev': field team is not set"):
        ServiceStack(app, "x", env=environments["dev"])


def test_fails_on_a_team_namespace_kubernetes_refuses(environments):
    env = _team_env(environments["dev"]).model_copy(update={"name": "d" * 30, "team": "t" * 30})
    with pytest.raises(ValueError, match="makes the namespace 'zacatl-d+-t+' 68 characters long; Kubernetes allows 63"):
        naming.namespace(env)


def test_fails_on_a_role_name_iam_refuses(environments):
    env = _team_env(environments["dev"]).model_copy(update={"team": "a" * 40})
    with pytest.raises(ValueError, match="IAM allows 64"):
        ServiceStack(cloud_app(), "x", env=env)


def _judged_template(synthesized, variants) -> Path:
    """The team stack's template in the session's checker runs (tests/variants.py), proven to be
    this module's: the same template, resource for resource."""
    path, template = synthesized
    judged = variants.folder(SERVICE_STACK) / path.name
    assert json.loads(judged.read_text()) == template
    return judged


@pytest.mark.check
def test_cfn_lint_reports_no_error(synthesized, variants, cfn_lint_result):
    judged = _judged_template(synthesized, variants)
    part = cfn_lint_part(cfn_lint_result, judged.parent)
    assert part.linted == [judged]
    findings = [f for f in part.findings if f["Level"] == "Error" or f["Rule"]["Id"] not in ALLOWED_WARNINGS]
    assert not findings, findings


@pytest.mark.check
def test_checkov_reports_no_failed_check(synthesized, variants, checkov_reports):
    judged = _judged_template(synthesized, variants)
    part = checkov_part(checkov_reports, "cloudformation", judged.parent)
    assert not part.failed, "\n".join(part.failures())
    assert part.passed and not part.parsing_errors and part.files == {judged}
    # The team's own resources were judged, not only what every stack has.
    repositories = resources(synthesized[1], "AWS::ECR::Repository")
    assert repositories and {f"AWS::ECR::Repository.{r}" for r in repositories} <= part.resources


@pytest.mark.check
def test_cdk_nag_and_eks_rules_report_no_open_finding(synthesized):
    report = json.loads((synthesized[0].parent / "validation-report.json").read_text())
    assert {p["pluginName"] for p in report["pluginReports"]} >= {"AwsSolutions"}
    assert all(p["conclusion"] == "success" and not p["violations"] for p in report["pluginReports"])


def test_team_secrets_key_lets_the_platform_role_decrypt_through_secrets_manager_only(template, team_env):
    (key,) = [r for r in resources(template, "AWS::KMS::Key").values() if "secrets" in r["Properties"]["Description"]]
    role_arn = f"arn:aws:iam::{team_env.account}:role/{naming.external_secrets_role_name(team_env)}"
    (decrypt,) = [s for s in key["Properties"]["KeyPolicy"]["Statement"] if s["Principal"] == {"AWS": role_arn}]
    assert decrypt["Action"] == "kms:Decrypt"
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": f"secretsmanager.{team_env.region}.amazonaws.com"}}


# --- both layers of the team side by side: the rendered manifests and the ServiceStack agree ------
@pytest.fixture(scope="module")
def team_workloads(team_env, tmp_path_factory) -> RenderedEnvironment:
    outdir = tmp_path_factory.mktemp("team-dist")
    render_workloads([team_env], outdir)
    return RenderedEnvironment({p.name: p.read_text() for p in sorted((outdir / team_env.name).glob("*.yaml"))})


def test_every_manifest_object_is_in_the_team_namespace(team_workloads, team_env):
    (namespace,) = team_workloads.find("Namespace")
    assert namespace["metadata"]["name"] == naming.namespace(team_env)
    assert {o["metadata"].get("namespace") for o in team_workloads.objects if o["kind"] != "Namespace"} == {
        naming.namespace(team_env)}


def test_every_external_secret_reads_a_secret_of_the_team_stack(team_workloads, template):
    secrets = {r["Properties"]["Name"] for r in resources(template, "AWS::SecretsManager::Secret").values()}
    read = {d["remoteRef"]["key"] for e in team_workloads.find("ExternalSecret") for d in e["spec"]["data"]}
    assert read == secrets


def test_every_association_has_its_service_account_in_the_manifests(team_workloads, template):
    accounts = {(a["metadata"]["namespace"], a["metadata"]["name"]) for a in team_workloads.find("ServiceAccount")}
    assert set(pod_identity_associations(template)) <= accounts


def test_every_deployment_pulls_from_a_repository_of_the_team_stack(team_workloads, template, team_env):
    repositories = {r["Properties"]["RepositoryName"] for r in resources(template, "AWS::ECR::Repository").values()}
    registry = f"{team_env.account}.dkr.ecr.{team_env.region}.amazonaws.com/"
    for deployment in team_workloads.find("Deployment"):
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        repository = container["image"].removeprefix(registry).split(":")[0].split("@")[0]
        assert repository in repositories, container["image"]


def test_a_team_renders_no_platform_add_on(team_workloads):
    # The platform's repository renders the add-ons (10-platform.yaml) once per cluster.
    assert sorted(team_workloads.files) == ["00-namespace.yaml", "20-billing-worker.yaml", "20-ledger-api.yaml"]
    assert not team_workloads.find("Application") and not team_workloads.find("AppProject")
