"""The model applies its tier's defaults itself (issue 11: a user who constructs the typed model
directly gets the same production defaults as one who goes through ``presets``)."""

from __future__ import annotations

from zacatl_infra.config import EnvironmentConfig, presets
from zacatl_infra.config.environment import ClusterSettings

_PROD = dict(
    tier="prod", name="prod", account="333333333333", region="eu-west-1",
    availability_zones=("eu-west-1a", "eu-west-1b", "eu-west-1c"), domain="zacatl.example.com",
    access={"admin_role_arns": ("arn:aws:iam::333333333333:role/admin",)},
    dns={"hosted_zone_id": "Z0123456789ABCDEFGHIJ"}, gitops={"repo_url": "https://github.com/x/y.git"},
    alerts={"emails": ("oncall@zacatl.example.com",)},
    database={"kind": "atlas", "atlas": {"endpoint_service_name": "com.amazonaws.vpce.eu-west-1.vpce-svc-0a1b2c3d4e5f60718"}},
)
_SERVICE = {"name": "ledger-api", "image": {"digest": "sha256:" + "a" * 64},
            "health": {"readiness_path": "/ready"}, "ingress_path": None}


def test_a_directly_built_environment_gets_the_tiers_defaults():
    env = EnvironmentConfig(**_PROD, services=(_SERVICE,))
    via_presets = presets.environment("prod", **{k: v for k, v in _PROD.items() if k != "tier"},
                                      services=(presets.service("prod", **_SERVICE),))
    assert env == via_presets
    # What prod's table says, read back from the model: three nodes, a NAT gateway per zone, locked backups.
    assert (env.cluster.node_min, env.network.nat_gateways, env.backups.object_lock) == (3, 3, True)
    assert env.services[0].scaling.min_replicas == 3


def test_a_typed_setting_merges_over_the_defaults_key_by_key():
    env = EnvironmentConfig(**_PROD, cluster=ClusterSettings(node_max=12), services=(_SERVICE,))
    assert env.cluster.node_max == 12
    assert env.cluster.node_min == 3  # prod's, not ClusterSettings' own default of 2


def test_fails_with_the_tier_fields_own_error_for_an_unknown_tier():
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="tier"):
        EnvironmentConfig(**{**_PROD, "tier": "production"}, services=(_SERVICE,))
