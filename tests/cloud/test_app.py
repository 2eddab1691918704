"""`cloud_app()` sets the feature flags the constructs are written against, so cdk.json needs none.

Source of the flags: aws-cdk-lib's ``recommended-feature-flags.json``, read here from the installed
aws-cdk-lib (its bundled jsii tarball), which is the release pyproject.toml pins.
"""

from __future__ import annotations

import json
import tarfile
from importlib import metadata
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3

from zacatl_infra.cloud.app import cloud_app, feature_flags, feature_flags_version
from zacatl_infra.synth import Project


def _recommended_flags_of_installed_aws_cdk_lib() -> dict[str, object]:
    (tgz,) = (Path(cdk.__file__).parent / "_jsii").glob("aws-cdk-lib@*.jsii.tgz")
    with tarfile.open(tgz) as archive:
        member = archive.extractfile("package/recommended-feature-flags.json")
        assert member is not None
        return json.load(member)


def test_flags_are_those_the_pinned_aws_cdk_lib_recommends():
    assert feature_flags_version() == metadata.version("aws-cdk-lib")
    assert feature_flags() == _recommended_flags_of_installed_aws_cdk_lib()


def test_flags_equal_the_context_the_project_templates_are_built_with(project: Project):
    # The `templates` session fixture synthesizes with Project.cdk_context(): the same flags, no more.
    assert project.cdk_context() == feature_flags()


def test_every_flag_is_in_the_app_context():
    app = cloud_app()
    assert {name: app.node.try_get_context(name) for name in feature_flags()} == feature_flags()


def test_caller_context_overrides_a_flag():
    app = cloud_app(context={"@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": False, "team": "payments"})
    assert app.node.try_get_context("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy") is False
    assert app.node.try_get_context("team") == "payments"


def _access_log_bucket_policies(app: cdk.App) -> list[str]:
    stack = cdk.Stack(app, "Logs", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    logs = s3.Bucket(stack, "AccessLogs")
    s3.Bucket(stack, "Data", server_access_logs_bucket=logs)
    template = app.synth().get_stack_by_name("Logs").template
    return [k for k, r in template["Resources"].items() if r["Type"] == "AWS::S3::BucketPolicy"]


def test_flags_change_what_is_synthesized():
    # With "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy" (off in a bare App), S3 access logging
    # is granted through a bucket policy; without it, through an ACL, which buckets with the default
    # ObjectOwnership (BucketOwnerEnforced) refuse at deploy time.
    assert cdk.App().node.try_get_context("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy") is None
    assert _access_log_bucket_policies(cloud_app()), "cloud_app(): no bucket policy grants log delivery"
