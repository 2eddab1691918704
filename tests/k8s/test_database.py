"""The in-cluster MongoDB (``in_cluster``): official image, restricted, persistent, reachable only by its clients."""

from __future__ import annotations

import pytest

from zacatl_infra import naming
from zacatl_infra.facts import backups as facts
from zacatl_infra.k8s.database import DATABASE_CLIENT_LABEL, DATABASE_LABELS, STORAGE_CLASS
from zacatl_infra.k8s.labels import selector_labels

from ..conftest import ENVIRONMENT_NAMES


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_stateful_set_only_for_in_cluster_databases(env_name, workloads, environments):
    found = workloads[env_name].find("StatefulSet")
    assert len(found) == (1 if environments[env_name].database.kind == "in_cluster" else 0)


def _in_cluster(environments):
    return [n for n in ENVIRONMENT_NAMES if environments[n].database.kind == "in_cluster"]


def test_in_cluster_environments_are_local_and_dev(environments):
    assert _in_cluster(environments) == ["dev", "local"]


@pytest.mark.parametrize("env_name", ["dev", "local"])
def test_mongod_is_restricted_persistent_probed_and_bounded(env_name, workloads, environments):
    env = environments[env_name]
    stateful_set = workloads[env_name].one("StatefulSet", naming.IN_CLUSTER_DATABASE)
    pod = stateful_set["spec"]["template"]["spec"]
    (mongod,) = pod["containers"]
    assert mongod["image"] == facts.MONGO_IMAGE
    assert stateful_set["spec"]["selector"]["matchLabels"] == DATABASE_LABELS
    context = mongod["securityContext"]
    assert context["runAsNonRoot"] and context["readOnlyRootFilesystem"] and context["capabilities"] == {"drop": ["ALL"]}
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert {m["mountPath"] for m in mongod["volumeMounts"]} == {"/tmp", "/data/configdb", facts.MONGO_DATA_PATH}
    (claim,) = stateful_set["spec"]["volumeClaimTemplates"]
    assert claim["metadata"]["name"] == "data"
    assert claim["spec"]["resources"]["requests"]["storage"] == env.database.in_cluster.storage_size
    # EKS has no default StorageClass from 1.30 on: cloud tiers name the encrypted gp3 class rendered here.
    assert claim["spec"].get("storageClassName") == (None if env.is_local else STORAGE_CLASS)
    if not env.is_local:
        storage_class = workloads[env_name].one("StorageClass", STORAGE_CLASS)
        assert storage_class["parameters"] == {"type": "gp3", "encrypted": "true"}
        assert storage_class["provisioner"] == "ebs.csi.aws.com" and storage_class["reclaimPolicy"] == "Retain"
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert probe in mongod
    assert mongod["readinessProbe"]["exec"]["command"][0] == "mongosh"
    env_names = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in mongod["env"]}
    assert env_names == {facts.MONGO_ROOT_USERNAME_VARIABLE: {"name": naming.IN_CLUSTER_DATABASE_SECRET, "key": "username"},
                         facts.MONGO_ROOT_PASSWORD_VARIABLE: {"name": naming.IN_CLUSTER_DATABASE_SECRET, "key": "password"}}
    assert mongod["resources"]["limits"]["memory"] == "1024Mi"


@pytest.mark.parametrize("env_name", ["dev", "local"])
def test_only_database_clients_reach_mongod(env_name, workloads, environments):
    env = environments[env_name]
    policy = workloads[env_name].one("NetworkPolicy", naming.IN_CLUSTER_DATABASE)["spec"]
    peers = [p["podSelector"]["matchLabels"] for rule in policy["ingress"] for p in rule["from"]]
    assert peers == [selector_labels(s) for s in env.services if s.database] + [{DATABASE_CLIENT_LABEL: "true"}]
    assert all(p == {"port": facts.MONGO_PORT, "protocol": "TCP"} for r in policy["ingress"] for p in r["ports"])
    assert "egress" not in policy and "Egress" in policy["policyTypes"]
    service = workloads[env_name].one("Service", naming.IN_CLUSTER_DATABASE)
    assert service["spec"]["clusterIP"] == "None" and service["spec"]["selector"] == DATABASE_LABELS


def test_root_secret_comes_from_secrets_manager_in_aws_and_by_hand_on_a_laptop(workloads, environments):
    external = workloads["dev"].one("ExternalSecret", naming.IN_CLUSTER_DATABASE_SECRET)
    keys = {d["remoteRef"]["key"] for d in external["spec"]["data"]}
    assert keys == {naming.in_cluster_database_secret_id(environments["dev"])}
    assert workloads["local"].find("ExternalSecret", naming.IN_CLUSTER_DATABASE_SECRET) == []
