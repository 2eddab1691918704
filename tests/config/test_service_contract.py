"""Refusals that need the whole environment (and the runtime contract): each names the environment,
the service and the field, through the real loading path of an environment file."""

from __future__ import annotations

from pathlib import Path

import pytest

from zacatl_infra.config import ConfigError, load_environments, presets
from zacatl_infra.facts import eks_versions, zacatl

DIGEST = "sha256:" + "b" * 64

#: An environment file with two services; each test replaces one argument of one service.
_FILE = """\
from zacatl_infra.config import presets
ATLAS = {{"egress_cidrs": ("192.168.248.0/21",)}}
ENVIRONMENT = presets.environment(
    "{tier}", name="{name}", account="333333333333", region="eu-west-1",
    availability_zones=("eu-west-1a", "eu-west-1b", "eu-west-1c"), domain="zacatl.example.com",
    cluster={cluster}, alerts={{"emails": ("oncall@zacatl.example.com",)}},
    database={database},
    access={{"admin_role_arns": ("arn:aws:iam::333333333333:role/admin",)}},
    dns={{"hosted_zone_id": "Z0123456789ABCDEFGHIJ"}},
    gitops={{"repo_url": "https://github.com/x/y.git"}},
    services=(
        presets.zacatl_example_backend("{tier}", image={{"digest": "{digest}"}}, {reference}),
        presets.service("{tier}", name="ledger-api", image={{"digest": "{digest}"}},
                        health={{"readiness_path": "/ready"}}, {ledger}),
    ),
)
"""


def _load(tmp_path: Path, *, tier="prod", reference="database=ATLAS", ledger="ingress_path=None", cluster="{}"):
    name = "qa"
    # Prod refuses an in-cluster database; every tier here reaches Atlas through a private endpoint.
    database = '{"kind": "atlas", "atlas": {"endpoint_service_name": "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0"}}'
    (tmp_path / f"{name}.py").write_text(_FILE.format(tier=tier, name=name, digest=DIGEST, reference=reference,
                                                      ledger=ledger, cluster=cluster, database=database))
    return load_environments(tmp_path)[0]


def _refusal(tmp_path: Path, **kwargs) -> str:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, **kwargs)
    message = str(caught.value)
    assert message.startswith("environment 'qa' is invalid:"), message
    return message


def test_a_valid_two_service_environment_loads(tmp_path):
    env = _load(tmp_path, reference='database=ATLAS, upstreams=({"name": "ledger-api"},), host="greetings.zacatl.example.com"',
                ledger='ingress_path=None, internet_egress={"reason": "Stripe API for card payments"}')
    assert env.service("greetings-api").upstreams[0].is_service
    assert env.service("greetings-api").host == "greetings.zacatl.example.com"


def test_fails_on_an_upstream_naming_a_service_that_does_not_exist(tmp_path):
    message = _refusal(tmp_path, reference='database=ATLAS, upstreams=({"name": "payments-api"},)')
    assert "service 'greetings-api': field upstreams[0].name: 'payments-api' is not another service" in message
    assert "['ledger-api']" in message


def test_fails_on_an_upstream_naming_the_service_itself(tmp_path):
    message = _refusal(tmp_path, reference='database=ATLAS, upstreams=({"name": "greetings-api"},)')
    assert "field upstreams[0].name: 'greetings-api' is not another service" in message


def test_fails_on_internet_egress_without_a_reason_in_prod(tmp_path):
    message = _refusal(tmp_path, ledger='ingress_path=None, internet_egress={"ports": (443,)}')
    assert "service 'ledger-api': field internet_egress.reason: prod opens the internet only with a written reason" in message


def test_internet_egress_without_a_reason_is_accepted_outside_prod(tmp_path):
    env = _load(tmp_path, tier="staging", ledger='ingress_path=None, internet_egress={"ports": (443,)}')
    assert env.service("ledger-api").internet_egress.reason is None


@pytest.mark.parametrize("host", ["greetings.example.org", "zacatl.example.com.evil.io", "xzacatl.example.com"])
def test_fails_on_a_host_outside_the_environments_domain(tmp_path, host):
    message = _refusal(tmp_path, reference=f'database=ATLAS, host="{host}"')
    assert f"service 'greetings-api': field host: '{host}' is outside the environment's domain 'zacatl.example.com'" in message


def test_fails_on_two_services_claiming_the_same_host_and_path(tmp_path):
    message = _refusal(tmp_path, ledger='ingress_path="/", host="greetings-api.zacatl.example.com"')
    assert "greetings-api.zacatl.example.com/ is already routed to service 'greetings-api'" in message


@pytest.mark.parametrize("variable", sorted({zacatl.PORT.name, zacatl.APP_ENV.name, zacatl.NODE_ENV.name, "NODE_OPTIONS"}))
def test_fails_on_a_database_variable_that_collides_with_a_platform_variable(tmp_path, variable):
    message = _refusal(
        tmp_path, reference=f'database={{"egress_cidrs": ("192.168.248.0/21",), '
                            f'"connection_secret": {{"env_var": "{variable}", "key": "mongodb-uri"}}}}')
    assert f"database.connection_secret.env_var '{variable}' is set by the platform" in message
    assert "services[greetings-api]" in message


def test_fails_on_a_secret_that_collides_with_a_platform_variable(tmp_path):
    message = _refusal(tmp_path, ledger='ingress_path=None, secrets=({"env_var": "APP_ENV", "key": "app-env"},)')
    assert "services[ledger-api]" in message
    assert "secrets[0].env_var 'APP_ENV' is set by the platform" in message


def test_fails_on_a_kubernetes_version_eks_no_longer_offers(tmp_path):
    retired = [v for v in eks_versions.TABLE if not v.offered_on(eks_versions.AS_OF)][-1]
    message = _refusal(tmp_path, cluster=f'{{"kubernetes_version": "{retired.version}"}}')
    assert f"field cluster.kubernetes_version: '{retired.version}' is not a Kubernetes version EKS offers" in message


def test_the_database_variable_defaults_to_zacatls_and_can_be_renamed():
    default = presets.zacatl_example_backend("dev", image={"tag": "1.0.0"})
    assert default.database.connection_secret.env_var == zacatl.DATABASE_URL.name == "MONGO_URI"
    renamed = presets.zacatl_example_backend(
        "dev", image={"tag": "1.0.0"}, database={"connection_secret": {"env_var": "DATABASE_URL", "key": "db-url"}})
    assert renamed.database.connection_secret.env_var == "DATABASE_URL"


def test_a_worker_gets_no_ingress_by_default():
    worker = presets.service("dev", name="mailer", component="worker", image={"tag": "1.0.0"},
                             health={"readiness_path": None})
    assert worker.ingress_path is None and worker.component == "worker"
