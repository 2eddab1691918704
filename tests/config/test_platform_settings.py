"""Day-1 platform settings: access, GitOps, DNS. Each bad value fails naming the environment and field."""

from __future__ import annotations

import pytest

from zacatl_infra.config import ConfigError, presets

from .test_validation import _prod

ADMIN = "arn:aws:iam::333333333333:role/zacatl-platform-admin"


def _fails(**overrides) -> str:
    with pytest.raises(ConfigError) as caught:
        _prod(**overrides)
    assert caught.value.environment == "prod"
    return str(caught.value)


def test_fails_without_an_administrator():
    message = _fails(access={"admin_role_arns": ()})
    assert "access.admin_role_arns: a cloud environment needs at least one administrator role" in message


def test_fails_on_an_sts_session_arn():
    session = "arn:aws:sts::333333333333:assumed-role/zacatl-platform-admin/alice"
    message = _fails(access={"admin_role_arns": (session,)})
    assert "field access.admin_role_arns[0]:" in message
    assert "is an STS session ARN; EKS access entries accept only the IAM role ARN" in message


@pytest.mark.parametrize("field", ["deploy_role_arns", "viewer_role_arns"])
def test_fails_on_a_role_that_is_not_an_arn(field):
    message = _fails(access={"admin_role_arns": (ADMIN,), field: ("zacatl-ci",)})
    assert f"field access.{field}[0]: 'zacatl-ci' is not an IAM role ARN" in message


def test_fails_when_a_role_has_two_access_entries():
    assert "is listed more than once" in _fails(access={"admin_role_arns": (ADMIN,), "viewer_role_arns": (ADMIN,)})


@pytest.mark.parametrize("url", ["http://github.com/x/y.git", "ftp://example.com/x", "github.com/x/y", "file:///tmp/repo"])
def test_fails_on_a_repository_url_that_is_not_https_or_ssh(url):
    assert f"field gitops.repo_url: {url!r} is not an https or ssh Git URL" in _fails(gitops={"repo_url": url})


@pytest.mark.parametrize("url", ["https://github.com/x/y.git", "ssh://git@github.com/x/y.git", "git@github.com:x/y.git"])
def test_accepts_https_and_ssh_repository_urls(url):
    assert _prod(gitops={"repo_url": url}).gitops.repo_url == url


def test_fails_without_a_repository_in_a_cloud_environment():
    assert "gitops.repo_url: a cloud environment needs the Git repository" in _fails(gitops={"repo_url": None})


def test_fails_on_a_revision_that_is_not_a_git_ref():
    message = _fails(gitops={"repo_url": "https://github.com/x/y.git", "revision": "main..dev"})
    assert "field gitops.revision: 'main..dev' is not a Git branch, tag or commit" in message


def test_capability_install_needs_identity_center():
    message = _fails(gitops={"repo_url": "https://github.com/x/y.git", "install": "capability"})
    assert "install 'capability' needs identity_center" in message


def test_capability_install_with_identity_center():
    env = _prod(gitops={"repo_url": "https://github.com/x/y.git", "install": "capability", "identity_center": {
        "instance_arn": "arn:aws:sso:::instance/ssoins-1234567890abcdef", "region": "eu-west-1",
        "admin_group_ids": ("a1b2c3d4-0000-1111-2222-333344445555",)}})
    assert env.gitops.identity_center.region == "eu-west-1"


@pytest.mark.parametrize("zone", ["z123", "hostedzone/Z0123", "Z0123456789abcdef", "Z" + "A" * 40])
def test_fails_on_a_hosted_zone_id_that_is_not_one(zone):
    assert f"field dns.hosted_zone_id: {zone!r} is not a Route 53 hosted zone id" in _fails(dns={"hosted_zone_id": zone})


def test_fails_without_a_hosted_zone_in_a_cloud_environment():
    assert "dns.hosted_zone_id: a cloud environment needs the id of the Route 53 zone" in _fails(dns={})


def test_fails_when_the_domain_is_outside_the_zone():
    message = _fails(dns={"hosted_zone_id": "Z0123456789ABCDEFGHIJ", "zone_name": "other.example.org"})
    assert "dns.zone_name: domain 'zacatl.example.com' is not in zone 'other.example.org'" in message


def test_local_needs_no_administrator_and_no_zone():
    env = presets.environment("local", name="local", domain="zacatl.localtest.me", services=(
        presets.zacatl_example_backend("local", image={"tag": "dev"}, database={"egress_cidrs": ("10.244.0.0/16",)}),))
    assert env.access.admin_role_arns == () and env.dns.hosted_zone_id is None
