"""Every in-namespace workload identity has its ServiceAccount in the manifests."""

from __future__ import annotations

import pytest

from zacatl_infra import naming

from ..conftest import CLOUD_ENVIRONMENT_NAMES, ENVIRONMENT_NAMES


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_every_in_namespace_identity_has_a_service_account(workloads, environments, env_name):
    env = environments[env_name]
    accounts = {a["metadata"]["name"]: a for a in workloads[env_name].find("ServiceAccount")}
    for identity in naming.workload_identities(env):
        if identity.namespace == naming.namespace(env):
            assert identity.service_account in accounts, f"{identity.purpose}: {identity.service_account}"
            assert accounts[identity.service_account]["metadata"]["namespace"] == identity.namespace


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_backup_service_account_exists_when_a_database_is_backed_up(workloads, environments, env_name):
    env = environments[env_name]
    backed_up = any(s.database and s.database.backup for s in env.services)
    accounts = workloads[env_name].find("ServiceAccount", naming.BACKUP_SERVICE_ACCOUNT)
    assert len(accounts) == (1 if backed_up else 0)
    assert all(a["automountServiceAccountToken"] is False for a in accounts)


def test_local_has_no_backup_service_account(workloads):
    assert not workloads["local"].find("ServiceAccount", naming.BACKUP_SERVICE_ACCOUNT)
