"""Each invalid setting gets its own clear error naming the field, the value and what is allowed."""

from __future__ import annotations

import pytest

from zacatl_infra.config import ConfigError, presets

DIGEST = "sha256:" + "a" * 64
ATLAS = {"egress_cidrs": ("192.168.248.0/21",)}
ENDPOINT_SERVICE = "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0"


def _prod(**overrides):
    fields = {
        "name": "prod",
        "account": "333333333333",
        "region": "eu-west-1",
        "availability_zones": ("eu-west-1a", "eu-west-1b", "eu-west-1c"),
        "domain": "zacatl.example.com",
        "database": {"kind": "atlas", "atlas": {"endpoint_service_name": ENDPOINT_SERVICE}},
        "alerts": {"emails": ("oncall@zacatl.example.com",)},
        "access": {"admin_role_arns": ("arn:aws:iam::333333333333:role/zacatl-platform-admin",)},
        "dns": {"hosted_zone_id": "Z0123456789ABCDEFGHIJ"},
        "gitops": {"repo_url": "https://github.com/zacatl-example/zacatl-infra.git"},
        "services": (presets.zacatl_example_backend("prod", image={"digest": DIGEST}, database=ATLAS),),
    }
    return presets.environment("prod", **{**fields, **overrides})


def _error(**overrides) -> str:
    with pytest.raises(ConfigError) as caught:
        _prod(**overrides)
    assert caught.value.environment == overrides.get("name", "prod")
    return str(caught.value)


def test_valid_environment_carries_tier_presets():
    env = _prod()
    assert env.services[0].scaling.min_replicas == 3
    assert env.backups.object_lock is True
    assert env.services[0].container_port == 8082


def test_nested_override_keeps_other_preset_values():
    spec = presets.service("prod", name="api", image={"tag": "1.0.0"}, health={"readiness_path": "/ready"},
                           resources={"memory_limit": "2Gi"})
    assert spec.resources.memory_limit == "2Gi"
    assert spec.resources.memory_request == "512Mi"


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"account": "12345"}, "field account: '12345' is not an AWS account id: expected 12 digits"),
        ({"region": "europe"}, "field region: 'europe' is not an AWS region name"),
        ({"availability_zones": ("eu-west-1a",)}, "availability_zones needs at least two pinned zones"),
        ({"availability_zones": ("eu-west-1a", "us-east-1b")}, "availability zone 'us-east-1b' is not in region 'eu-west-1'"),
        ({"domain": "Not A Domain"}, "field domain: 'Not A Domain' is not a lowercase DNS name"),
        ({"name": "Prod_1"}, "field name: 'Prod_1' is not a DNS-1123 label"),
        ({"log_level": "loud"}, "field log_level: Input should be 'fatal', 'error', 'warn', 'info', 'debug' or 'trace'"),
        ({"services": ()}, "field services: Tuple should have at least 1 item"),
        ({"cluster": {"kubernetes_version": "1.19"}}, "field cluster.kubernetes_version: '1.19' is not a Kubernetes version EKS offers"),
        ({"cluster": {"public_endpoint_cidrs": ("0.0.0.0/0",)}}, "opens the API endpoint to the whole internet"),
        ({"cluster": {"node_min": 5, "node_desired": 2}}, "node counts must satisfy node_min <= node_desired <= node_max"),
        ({"network": {"vpc_cidr": "10.0.0.0/8"}}, "field network.vpc_cidr: '10.0.0.0/8' must be an IPv4 block from /16 to /28"),
        ({"backups": {"cold_after_days": 40}}, "cold_after_days (40) must be below retention_days (35)"),
        ({"alerts": {"emails": ("nobody",)}}, "field alerts.emails[0]: 'nobody' is not an email address"),
        ({"colour": "blue"}, "field colour: unknown field; did you mean 'cluster'?"),
        ({"registry": {"replication_region": "frankfurt"}}, "field registry.replication_region: 'frankfurt' is not an AWS region"),
        ({"backups": {"replication_region": "mars-1"}}, "field backups.replication_region: 'mars-1' is not an AWS region"),
        ({"registry": {"replication_region": "eu-west-1"}}, "registry.replication_region 'eu-west-1' is the environment's own region"),
        ({"backups": {"replication_region": "eu-west-1"}}, "backups.replication_region 'eu-west-1' is the environment's own region"),
    ],
)
def test_fails_on_invalid_environment_setting(overrides, expected):
    assert expected in _error(**overrides)


def test_fails_on_mutable_image_outside_local():
    spec = presets.zacatl_example_backend("prod", image={"tag": "latest"}, database=ATLAS)
    message = _error(services=(spec,))
    assert "field services[greetings-api].image: needs a digest or an immutable release tag outside 'local' (got tag 'latest')" in message


def test_local_accepts_a_development_tag_and_needs_no_account():
    env = presets.environment("local", name="local", domain="zacatl.localtest.me",
                              services=(presets.zacatl_example_backend("local", image={"tag": "latest"},
                                                                       database={"egress_cidrs": ("10.244.0.0/16",)}),))
    assert env.is_local and env.account is None


def test_fails_on_duplicate_service_names():
    spec = presets.zacatl_example_backend("prod", image={"digest": DIGEST}, database=ATLAS)
    assert "service names must be unique (repeated: ['greetings-api'])" in _error(services=(spec, spec))


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"scaling": {"min_replicas": 5, "max_replicas": 2}}, "min_replicas (5) is above max_replicas (2)"),
        ({"resources": {"cpu_request": "2", "cpu_limit": "1"}}, "cpu_limit '1' is below cpu_request '2'"),
        ({"resources": {"memory_limit": "128Mi"}}, "memory_limit '128Mi' is below memory_request '512Mi'"),
        ({"resources": {"cpu_limit": "lots"}}, "'lots' is not a CPU quantity"),
        ({"resources": {"memory_limit": "1GB"}}, "'1GB' is not a memory quantity"),
        ({"name": "Greetings_API"}, "'Greetings_API' is not a DNS-1123 label"),
        ({"container_port": 80}, "container_port: Input should be greater than or equal to 1024 (got 80)"),
        ({"container_port": 70000}, "container_port: Input should be less than or equal to 65535"),
        ({"image": {"digest": "sha256:abc"}}, "'sha256:abc' is not an image digest"),
        ({"image": {"tag": "bad tag"}}, "'bad tag' is not a valid image tag"),
        ({"health": {"liveness_path": "health"}}, "'health' is not an absolute URL path"),
        ({"env": {"PORT": "9000"}}, "'PORT' is set by the platform from the spec"),
        ({"env": {"lower": "x"}}, "'lower' is not an environment variable name"),
        ({"env": {"MONGO_URI": "mongodb://x"}}, "environment variables ['MONGO_URI'] are defined twice"),
        ({"env": {"APP_ENV": "qa"}}, "'APP_ENV' is set by the platform from the spec"),
        ({"health": {"readiness_path": None}}, "health.readiness_path is None, but the Ingress's load balancer"),
        ({"component": "worker", "ingress_path": "/"}, "ingress_path '/': a worker serves no Ingress"),
        ({"host": "Not_A_Host"}, "field services[greetings-api].host: 'Not_A_Host' is not a lowercase DNS name"),
        ({"internet_egress": {"reason": "x"}}, "'x' is not a reason"),
        ({"internet_egress": {"ports": ()}}, "internet egress needs at least one port"),
        ({"upstreams": ({"name": "ledger-api", "port": 8080},)}, "port 8080 is only for an external peer"),
        ({"upstreams": ({"name": "stripe", "cidr": "10.9.0.0/24"},)}, "an external peer (cidr 10.9.0.0/24) needs a port"),
        ({"upstreams": ({"name": "ledger-api"}, {"name": "ledger-api"})}, "upstreams ['ledger-api'] are listed twice"),
    ],
)
def test_fails_on_invalid_service_setting(overrides, expected):
    with pytest.raises(ConfigError) as caught:
        presets.zacatl_example_backend("prod", **{"image": {"digest": DIGEST}, **overrides})
    message = str(caught.value)
    assert expected in message
    assert "services[" in message  # the error says which service


def test_fails_on_an_in_cluster_database_in_prod():
    assert "database.kind 'in_cluster' is refused in prod" in _error(database={"kind": "in_cluster"})


def test_fails_when_the_database_range_overlaps_the_vpc():
    spec = presets.zacatl_example_backend("prod", image={"digest": DIGEST}, database={"egress_cidrs": ("10.0.8.0/24",)})
    assert "database range 10.0.8.0/24 overlaps the VPC 10.0.0.0/16" in _error(services=(spec,))


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"database": {"egress_cidrs": ("mongo.internal",)}}, "'mongo.internal' is not a CIDR block"),
        ({"database": {"egress_cidrs": ("0.0.0.0/0",)}}, "'0.0.0.0/0' allows egress to the whole internet"),
        ({"upstreams": ({"name": "payments", "cidr": "10.9.0.0/33", "port": 443},)}, "'10.9.0.0/33' is not a CIDR block"),
    ],
)
def test_fails_on_invalid_egress_range(overrides, expected):
    with pytest.raises(ConfigError) as caught:
        presets.zacatl_example_backend("prod", **{"image": {"digest": DIGEST}, **overrides})
    assert expected in str(caught.value)
