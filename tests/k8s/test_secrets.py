"""Secrets come from AWS Secrets Manager through External Secrets; none is in the manifests."""

from __future__ import annotations

from pathlib import Path

import pytest

from zacatl_infra import naming
from zacatl_infra.k8s.secrets import local_secret_command

from ..conftest import CLOUD_ENVIRONMENT_NAMES, ENVIRONMENT_NAMES, ROOT


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_no_secret_object_is_rendered(workloads, env_name):
    assert workloads[env_name].find("Secret") == []


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_secret_store_reads_aws_secrets_manager_in_the_env_region(workloads, environments, env_name):
    env = environments[env_name]
    store = workloads[env_name].one("SecretStore", naming.secret_store_name(env))
    assert store["apiVersion"] == "external-secrets.io/v1"
    assert store["metadata"]["namespace"] == naming.namespace(env)
    assert store["spec"]["provider"]["aws"] == {"service": "SecretsManager", "region": env.region}


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_external_secret_pulls_every_secret_key_of_the_service(workloads, environments, env_name):
    env = environments[env_name]
    for spec in env.services:
        external = workloads[env_name].one("ExternalSecret", naming.kubernetes_secret_name(spec))["spec"]
        assert external["secretStoreRef"] == {"kind": "SecretStore", "name": naming.secret_store_name(env)}
        assert external["target"]["name"] == naming.kubernetes_secret_name(spec)
        pulled = {d["secretKey"]: d["remoteRef"] for d in external["data"]}
        assert set(pulled) == {ref.key for ref in spec.all_secrets}
        for key, remote in pulled.items():
            assert remote == {"key": naming.secret_id(env, spec), "property": key}


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_secret_store_comes_before_the_services_that_use_it(workloads, env_name):
    files = list(workloads[env_name].files)
    store_file = next(name for name, text in workloads[env_name].files.items() if "kind: SecretStore" in text)
    assert store_file == files[0] == "00-namespace.yaml"


def test_local_has_no_external_secrets_and_documents_the_secret_command(workloads, environments):
    assert not workloads["local"].find("ExternalSecret") and not workloads["local"].find("SecretStore")
    docs = (ROOT / "docs" / "workloads.md").read_text()
    for spec in environments["local"].services:
        assert local_secret_command(environments["local"], spec) in docs
