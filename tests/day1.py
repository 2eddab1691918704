"""The day-1 settings every cloud environment must carry (admin role, hosted zone, Git repository),
for tests that build an environment of their own."""

from __future__ import annotations


def day1(account: str) -> dict[str, dict]:
    """``access``, ``dns``, ``gitops`` and ``alerts`` settings valid for ``account``."""
    return {
        "access": {"admin_role_arns": (f"arn:aws:iam::{account}:role/admin",)},
        "dns": {"hosted_zone_id": "Z0123456789ABCDEFGHIJ"},
        "gitops": {"repo_url": "https://github.com/zacatl-example/zacatl-infra.git"},
        # prod requires someone to hear the alarms.
        "alerts": {"emails": ("oncall@zacatl.example.com",)},
    }
