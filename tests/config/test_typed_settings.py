"""The typed way to write an environment: settings objects and a Waiver instead of dicts."""

from __future__ import annotations

from zacatl_infra.config import BackupSettings, ClusterSettings, Scaling, Waiver, presets

from .test_rules import BASE


def test_typed_settings_merge_over_tier_defaults_and_waive_by_name():
    fields = {k: v for k, v in BASE.items() if k not in ("tier", "service")}
    service = presets.zacatl_example_backend("prod", **BASE["service"],
                                             scaling=Scaling(min_replicas=1, max_replicas=4))
    env = presets.environment(
        "prod", **{**fields, "cluster": ClusterSettings(node_max=12), "backups": BackupSettings(retention_days=90)},
        services=(service,),
        waivers=(Waiver(rule="min-replicas", reason="INC-1234: cache warm-up needs one writer until 2027-01-31"),))
    # Only the fields the objects set override the prod preset; the rest stays the tier's.
    assert (env.cluster.node_min, env.cluster.node_max) == (3, 12)
    assert (env.backups.retention_days, env.backups.object_lock, env.backups.cold_after_days) == (90, True, None)
    assert env.services[0].scaling.min_replicas == 1 and env.waivers[0].rule == "min-replicas"
