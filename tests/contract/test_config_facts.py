"""The facts the config checks read: fresh, and agreeing with the libraries that act on them."""

from __future__ import annotations

from datetime import date

import pytest

from zacatl_infra.facts import aws_limits, aws_regions, ec2

from .test_facts import MAX_AGE_DAYS


@pytest.mark.parametrize("read_on", [aws_regions.AS_OF, ec2.SOURCE.read_on],
                         ids=["aws_regions", "ec2_instance_types"])
def test_config_facts_are_fresh(read_on: date):
    age = (date.today() - read_on).days
    assert age <= MAX_AGE_DAYS, f"checked {age} days ago: refresh it from its source"


def test_architecture_agrees_with_aws_cdk_lib_for_every_instance_type():
    # aws-cdk-lib's node group refuses instance types whose architecture differs from the AMI's, by its
    # own InstanceType.architecture: the model must call every type the same, or it would accept a
    # node group the CDK refuses (or refuse one it accepts).
    from aws_cdk import aws_ec2

    disagree = []
    for name in sorted(ec2.INSTANCE_TYPES):
        try:
            theirs = aws_ec2.InstanceType(name).architecture.value
        except Exception:  # noqa: BLE001 - a name the CDK cannot parse: ours must refuse it too
            theirs = None
        try:
            ours = ec2.architecture(name)
        except ValueError:
            ours = None
        if {"ARM_64": "arm64", "X86_64": "x86_64", None: None}[theirs] != ours:
            disagree.append((name, theirs, ours))
    assert not disagree, disagree[:10]


def test_the_table_knows_the_families_the_presets_use_and_graviton_ones():
    assert {"m7i.large", "m6i.large", "m5.large", "m7g.large"} <= ec2.INSTANCE_TYPES
    assert ec2.architecture("m7g.large") == "arm64" and ec2.architecture("a1.large") == "arm64"
    assert ec2.architecture("m7i-flex.large") == "x86_64"


def test_every_region_has_at_least_three_zone_letters():
    # AWS: "Each Region has at least three Availability Zones" (aws-availability-zones page).
    thin = {r: z for r, z in aws_regions.ZONE_LETTERS.items() if len(set(z)) < 3}
    assert not thin, thin


def test_alarm_window_limit_is_one_week():
    assert aws_limits.ALARM_MAX_EVALUATION_SECONDS == 604_800
