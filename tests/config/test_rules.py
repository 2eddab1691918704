"""Every rule of the model, one data row each: the bad value is refused through the real loader with
the environment, the field and what is valid in the message; the nearest good value is accepted.

A row is ``Rule(id, bad, good, field, valid)``: ``bad`` and ``good`` set dotted paths in a valid
prod environment file (``service.`` paths go to its one service); ``field`` and ``valid`` must
appear in the error. Facts behind the rows: facts/aws_limits.py, facts/aws_regions.py,
facts/ec2.py, facts/eks_versions.py, config/network_layout.py, config/prod_rules.py.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from zacatl_infra.config import ConfigError, load_environments
from zacatl_infra.facts import eks_versions

DIGEST = "sha256:" + "b" * 64
WAIVER = {"rule": "min-replicas", "reason": "INC-1234: single-replica until the cache warms, ends 2027-01-31"}

#: A valid prod environment file's arguments; each row changes a few paths.
BASE: dict[str, Any] = {
    "name": "prod",
    "tier": "prod",
    "account": "333333333333",
    "region": "eu-west-1",
    "availability_zones": ("eu-west-1a", "eu-west-1b", "eu-west-1c"),
    "domain": "zacatl.example.com",
    "alerts": {"emails": ("oncall@zacatl.example.com",)},
    "access": {"admin_role_arns": ("arn:aws:iam::333333333333:role/zacatl-platform-admin",)},
    "dns": {"hosted_zone_id": "Z0123456789ABCDEFGHIJ"},
    "gitops": {"repo_url": "https://github.com/zacatl-example/zacatl-infra.git"},
    # Prod refuses an in-cluster database: MongoDB Atlas through its PrivateLink endpoint service.
    "database": {"kind": "atlas", "atlas": {"endpoint_service_name": "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0"}},
    "service": {"image": {"tag": "1.4.0"}, "database": {"egress_cidrs": ("192.168.248.0/21",)}},
}

_FILE = """\
from zacatl_infra.config import presets
FIELDS = {fields!r}
SERVICE = {service!r}
ENVIRONMENT = presets.environment({tier!r}, services=(presets.zacatl_example_backend({service_tier!r}, **SERVICE),),
                                  **FIELDS)
"""


@dataclass(frozen=True)
class Rule:
    id: str
    bad: dict[str, Any]
    good: dict[str, Any]
    field: str
    valid: str


def _set(fields: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        fields = fields.setdefault(part, {})
    fields[last] = value


def _write(directory: Path, overrides: dict[str, Any]) -> str:
    fields = copy.deepcopy(BASE)
    for path, value in overrides.items():
        _set(fields, path, value)
    tier, service = fields.pop("tier"), fields.pop("service")
    service_tier = tier if tier in ("local", "dev", "staging", "prod") else "prod"
    (directory / f"{fields['name']}.py").write_text(
        _FILE.format(fields=fields, service=service, tier=tier, service_tier=service_tier))
    return fields["name"]


LONG = "prod-" + "x" * 25  # zacatl-<name>-backups-333333333333-eu-west-1 is 68 characters

RULES = [
    # Replicas, backups and the other prod invariants (config/prod_rules.py), and their waiver.
    Rule("prod-one-replica", {"service.scaling.min_replicas": 1}, {"service.scaling.min_replicas": 2},
         "services[greetings-api].scaling.min_replicas", "min_replicas >= 2"),
    Rule("prod-one-replica-waived", {"service.scaling.min_replicas": 1},
         {"service.scaling.min_replicas": 1, "waivers": (WAIVER,)}, "services[greetings-api].scaling.min_replicas", "waivers="),
    Rule("waiver-waives-nothing", {"waivers": (WAIVER,)}, {}, "waivers", "remove it"),
    Rule("waiver-without-reason", {"service.scaling.min_replicas": 1, "waivers": ({"rule": "min-replicas",
                                                                                   "reason": "because"},)},
         {"service.scaling.min_replicas": 1, "waivers": (WAIVER,)}, "waivers[0].reason", "20 characters"),
    Rule("waiver-twice", {"service.scaling.min_replicas": 1, "waivers": (WAIVER, WAIVER)},
         {"service.scaling.min_replicas": 1, "waivers": (WAIVER,)}, "waivers", "keep one waiver per rule"),
    Rule("waiver-outside-prod", {"name": "staging", "tier": "staging", "domain": "staging.zacatl.example.com",
                                 "waivers": (WAIVER,)},
         {"name": "staging", "tier": "staging", "domain": "staging.zacatl.example.com"}, "waivers",
         "only the prod tier has invariants to waive"),
    Rule("waiver-unknown-rule", {"waivers": ({"rule": "replicas", "reason": WAIVER["reason"]},)}, {},
         "waivers[0].rule", "'min-replicas'"),
    Rule("prod-no-alarm-email", {"alerts.emails": ()}, {"alerts.emails": ("oncall@zacatl.example.com",)},
         "alerts.emails", "at least one address"),
    Rule("prod-short-retention", {"backups": {"retention_days": 2}},
         {"backups": {"retention_days": 30}}, "backups.retention_days", ">= 30"),
    Rule("prod-object-lock-off", {"backups.object_lock": False}, {"backups.object_lock": True},
         "backups.object_lock", "object_lock is true"),
    Rule("prod-spot", {"cluster.spot": True}, {"cluster.spot": False}, "cluster.spot", "spot is false"),
    Rule("prod-single-node", {"cluster": {"node_min": 1, "node_desired": 1}},
         {"cluster": {"node_min": 3, "node_desired": 3}}, "cluster.node_min", "number of availability_zones"),
    Rule("prod-shared-nat", {"network.nat_gateways": 1}, {"network.nat_gateways": 3}, "network.nat_gateways",
         "number of availability_zones"),
    Rule("prod-database-backup-off", {"service.database.backup": False}, {"service.database.backup": True},
         "services[greetings-api].database.backup", "backup is true"),
    Rule("prod-on-dev-tier", {"tier": "dev"}, {"tier": "prod"}, "tier", "presets.environment('prod'"),
    Rule("unknown-tier", {"tier": "production"}, {"tier": "prod"}, "tier", "did you mean 'prod'"),
    # DNS names (config/types.py DnsName): every domain and host.
    Rule("domain-label-64", {"domain": "a" * 64 + ".example.com"}, {"domain": "a" * 63 + ".example.com"},
         "domain", "at most 63 per label"),
    Rule("domain-shape", {"domain": "Zacatl.Example.com"}, {"domain": "zacatl.example.com"}, "domain",
         "lowercase DNS name"),
    Rule("host-label-64", {"service.host": "a" * 64 + ".zacatl.example.com"},
         {"service.host": "a" * 63 + ".zacatl.example.com"}, "services[greetings-api].host", "at most 63"),
    # Kubernetes versions: exactly what EKS offers (facts/eks_versions.py).
    Rule("k8s-future", {"cluster.kubernetes_version": "1.39"}, {"cluster.kubernetes_version": eks_versions.NEWEST},
         "cluster.kubernetes_version", repr(list(eks_versions.OFFERED))),
    Rule("k8s-retired", {"cluster.kubernetes_version": "1.27"}, {"cluster.kubernetes_version": eks_versions.OLDEST},
         "cluster.kubernetes_version", "use one of"),
    # Paths (HttpPath).
    Rule("health-path-space", {"service.health.readiness_path": "/api/green tings"},
         {"service.health.readiness_path": "/api/greetings"}, "services[greetings-api].health.readiness_path", "RFC 3986"),
    Rule("ingress-path-empty", {"service.ingress_path": ""}, {"service.ingress_path": "/"},
         "services[greetings-api].ingress_path", "start with '/'"),
    # Images.
    Rule("outside-image-moving-tag", {"service.image": {"repository": "docker.io/acme/greetings", "tag": "stable"}},
         {"service.image": {"repository": "docker.io/acme/greetings", "tag": "stable", "digest": DIGEST}},
         "services[greetings-api].image.digest", "pin image.digest"),
    Rule("image-repository-shape", {"service.image": {"repository": "Not A Repo!!", "digest": DIGEST}},
         {"service.image": {"repository": "ghcr.io/acme/greetings-api", "digest": DIGEST}},
         "services[greetings-api].image.repository", "image repository such as"),
    Rule("image-repository-with-tag", {"service.image": {"repository": "ghcr.io/acme/api:1.0", "digest": DIGEST}},
         {"service.image": {"repository": "ghcr.io/acme/api", "digest": DIGEST}},
         "services[greetings-api].image.repository", "set image.tag or image.digest"),
    # Quantities (config/quantity.py).
    Rule("cpu-zero", {"service.resources.cpu_request": "0"}, {"service.resources.cpu_request": "1m"},
         "services[greetings-api].resources.cpu_request", "at least '1m'"),
    Rule("cpu-below-millicore", {"service.resources.cpu_request": "0.5m"}, {"service.resources.cpu_request": "1m"},
         "services[greetings-api].resources.cpu_request", "one millicore"),
    Rule("memory-tiny", {"service.resources.memory_request": "512Ki"},
         {"service.resources.memory_request": "64Mi"}, "services[greetings-api].resources.memory_request", "at least '64Mi'"),
    Rule("memory-fraction-of-byte", {"service.resources.memory_request": "0.5"},
         {"service.resources.memory_request": "512Mi"}, "services[greetings-api].resources.memory_request", "whole number of bytes"),
    # Platform-owned variables, from every source.
    Rule("secret-onto-node-env", {"service.secrets": ({"env_var": "NODE_ENV", "key": "node-env"},)},
         {"service.secrets": ({"env_var": "STRIPE_KEY", "key": "stripe"},)}, "services[greetings-api]",
         "allowed names exclude"),
    Rule("database-secret-onto-port", {"service.database.connection_secret": {"env_var": "PORT", "key": "uri"}},
         {"service.database.connection_secret": {"env_var": "MONGO_URI", "key": "uri"}},
         "services[greetings-api]", "allowed names exclude"),
    Rule("env-onto-port", {"service.env": {"PORT": "9000"}}, {"service.env": {"FEATURE_X": "on"}},
         "services[greetings-api].env", "allowed names exclude"),
    # Cluster access, endpoint and nodes.
    Rule("admin-sts-session", {"access.admin_role_arns": (
        "arn:aws:sts::333333333333:assumed-role/platform-admin/alice@example.com",)},
         {"access.admin_role_arns": ("arn:aws:iam::333333333333:role/platform-admin",)},
         "access.admin_role_arns[0]", "use 'arn:aws:iam::333333333333:role/platform-admin'"),
    Rule("endpoint-internet-halves", {"cluster.public_endpoint_cidrs": ("0.0.0.0/1", "128.0.0.0/1")},
         {"cluster.public_endpoint_cidrs": ("203.0.113.0/24",)}, "cluster.public_endpoint_cidrs",
         "at most 65,536 addresses"),
    Rule("instance-type-unknown", {"cluster.node_instance_types": ("m7i.gigantic",)},
         {"cluster.node_instance_types": ("m7i.large",)}, "cluster.node_instance_types", "m7i sizes: "),
    Rule("instance-types-empty", {"cluster.node_instance_types": ()}, {"cluster.node_instance_types": ("m7i.large",)},
         "cluster.node_instance_types", "at least one EC2 instance type"),
    Rule("instance-type-arm", {"cluster.node_instance_types": ("m7g.large",)},
         {"cluster.node_instance_types": ("m7i.large",)}, "cluster.node_instance_types", "use an x86_64 type"),
    # Zones, regions, network (facts/aws_regions.py, config/network_layout.py).
    Rule("zone-twice", {"availability_zones": ("eu-west-1a", "eu-west-1a", "eu-west-1b")},
         {"availability_zones": ("eu-west-1a", "eu-west-1b", "eu-west-1c")}, "availability_zones", "distinct zones"),
    Rule("zone-not-in-region", {"availability_zones": ("eu-west-1a", "eu-west-1b", "eu-west-1z")},
         {"availability_zones": ("eu-west-1a", "eu-west-1b", "eu-west-1c")}, "availability_zones",
         "'eu-west-1c'"),
    Rule("region-unknown", {"region": "eu-west-9", "availability_zones": ("eu-west-9a", "eu-west-9b")},
         {"region": "eu-west-2", "availability_zones": ("eu-west-2a", "eu-west-2b", "eu-west-2c")}, "region",
         "did you mean"),
    Rule("vpc-too-small-for-subnets", {"network.vpc_cidr": "10.0.0.0/18"}, {"network.vpc_cidr": "10.0.0.0/17"},
         "network.vpc_cidr", "use a /17 or larger"),
    Rule("vpc-not-a-vpc-size", {"network.vpc_cidr": "10.0.0.0/8"}, {"network.vpc_cidr": "10.0.0.0/16"},
         "network.vpc_cidr", "from /16 to /28"),
    # Alarms (facts/aws_limits.py).
    # The backup alarm watches rpo_hours + 1 hours at most (config/database.py).
    # (in staging: prod allows at most one hour).
    Rule("backup-rpo-over-a-week", {"name": "qa", "tier": "staging", "database.backup.rpo_hours": 168},
         {"name": "qa", "tier": "staging", "database.backup.rpo_hours": 167},
         "database.backup.rpo_hours", "less than or equal to 167"),
    Rule("alert-email-twice", {"alerts.emails": ("a@zacatl.example.com", "a@zacatl.example.com")},
         {"alerts.emails": ("a@zacatl.example.com", "b@zacatl.example.com")}, "alerts.emails", "list each once"),
    # Upstreams and unknown fields.
    Rule("upstream-twice", {"service.upstreams": ({"name": "payments", "cidr": "10.9.0.0/24", "port": 443},) * 2},
         {"service.upstreams": ({"name": "payments", "cidr": "10.9.0.0/24", "port": 443},)},
         "services[greetings-api]", "listed twice"),
    Rule("aws-api-unknown", {"service.needs_aws_role": True, "service.aws_apis": ("sqs", "dynamo")},
         {"service.needs_aws_role": True, "service.aws_apis": ("sqs", "sns")},
         "services[greetings-api].aws_apis", "'dynamo' is not an AWS API with a VPC interface endpoint"),
    Rule("unknown-field-suggests", {"service.port": 8082}, {"service.container_port": 8082},
         "services[greetings-api].port", "did you mean 'container_port'"),
    Rule("field-one-level-too-high", {"vpc_cidr": "10.0.0.0/16"}, {"network.vpc_cidr": "10.0.0.0/16"},
         "vpc_cidr", "did you mean 'network.vpc_cidr'"),
    Rule("unknown-nested-field-suggests", {"cluster.node_maximum": 5}, {"cluster.node_max": 5},
         "cluster.node_maximum", "did you mean 'node_max'"),
    # Derived AWS names (naming.name_length_problems, limits in facts/aws_limits.py).
    Rule("bucket-name-too-long", {"name": LONG}, {"name": LONG[:-5]}, "name", "shorten name by 5 characters"),
    Rule("role-name-too-long", {"name": "prod-" + "r" * 15, "service.name": "s" * 40, "service.needs_aws_role": True,
                                "service.aws_apis": ("sqs",)},
         {"name": "prod-" + "r" * 15, "service.name": "s" * 32, "service.needs_aws_role": True,
          "service.aws_apis": ("sqs",)},
         "name or services[" + "s" * 40 + "].name", "by 8 characters"),
]


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_fails_on_the_bad_value_and_accepts_the_nearest_good_one(rule: Rule, tmp_path: Path):
    bad, good = tmp_path / "bad", tmp_path / "good"
    bad.mkdir(), good.mkdir()
    name = _write(bad, rule.bad)
    with pytest.raises(ConfigError) as caught:
        load_environments(bad)
    message = str(caught.value)
    assert f"environment {name!r} is invalid" in message
    assert f"field {rule.field}" in message, message
    assert rule.valid in message, message
    _write(good, rule.good)
    assert load_environments(good)


def test_every_rule_id_is_unique():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
