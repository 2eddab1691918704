"""Pod and container bodies every platform job and database pod shares, in one place.

The platform's own workloads (the in-cluster MongoDB, the backup, restore, verification and index
migration Jobs) are plain ``cdk8s.ApiObject``s (``raw_fields.PlainApiObject``) since issue 10's
phase 3; these helpers write the fields cdk8s-plus-27 used to write for them, with the values it
defaulted spelled out (``dnsPolicy``, ``hostNetwork``, ``restartPolicy``, ``setHostnameAsFQDN``, a
30 s grace period), so the YAML stayed byte for byte what plus rendered. ``harden`` then adds what
plus could not express and the ``restricted`` Pod Security Standard requires: ``seccompProfile``
RuntimeDefault on the pod and every container, every capability dropped, no service links. Keys
are sorted as cdk8s sorts an object's props (``raw_fields.sorted_fields``); the hardening keys come
after them, where the JSON patches onto plus's output used to put them.
"""

from __future__ import annotations

from typing import Any

import cdk8s

from .raw_fields import sorted_fields, sorted_with

#: User and group the platform's MongoDB and job containers run as: above 10000, so it maps to no
#: account on the node (the official mongo image's own user is 999, ``facts.backups.MONGO_USER_ID``;
#: its entrypoint and tools work as any non-root user whose HOME and data paths are writable).
RUN_AS_USER = 10999

#: checkov findings the platform's third-party images accept, each with the reason a reviewer reads.
THIRD_PARTY_IMAGE_SKIPS = {
    "checkov.io/skip1": "CKV_K8S_43=the official mongo and amazon/aws-cli images are pinned by release tag; "
                        "their publishers rebuild a tag only for base-image security fixes",
    "checkov.io/skip2": "CKV_K8S_15=imagePullPolicy IfNotPresent: the tag is pinned, and Always would add a "
                        "Docker Hub round trip, counted against its pull rate limit, to every run",
}
#: The connection string reaches mongodump, mongorestore and mongosh as an argument expanded from an
#: environment variable: the tools take it only on the command line or in a YAML config file, and
#: the Secret holds the bare URI that the service itself reads.
SECRET_ENV_SKIP = ("CKV_K8S_35=the MongoDB tools read the connection string from an argument expanded from "
                   "the service's Secret by reference; the Secret holds the bare URI, no file format they read")
#: Seconds the kubelet waits after SIGTERM when a pod does not say otherwise (the Kubernetes default,
#: which cdk8s-plus wrote out).
DEFAULT_GRACE_SECONDS = 30
#: Size cap of the writable /tmp of every platform pod (the root filesystem is read-only).
TMP_MEBIBYTES = 64
_RUNTIME_DEFAULT = {"type": "RuntimeDefault"}
#: The pod-template label cdk8s-plus put on every workload, from the construct path
#: (``cdk8s.Names.to_label_value`` of the workload). Nothing selects on it, but changing a
#: pod-template label rolls every pod, so it stays.
ADDRESS_LABEL = "cdk8s.io/metadata.addr"


def container_security(user: int) -> dict[str, Any]:
    """Non-root ``user`` (and group), read-only root filesystem, no privilege escalation."""
    return {"allowPrivilegeEscalation": False, "privileged": False, "readOnlyRootFilesystem": True,
            "runAsGroup": user, "runAsNonRoot": True, "runAsUser": user}


def pod_security(user: int) -> dict[str, Any]:
    """Non-root ``user``; volumes owned by its group (``fsGroup``), changed only when they differ."""
    return {"fsGroup": user, "fsGroupChangePolicy": "OnRootMismatch", "runAsGroup": user, "runAsNonRoot": True,
            "runAsUser": user}


def resources(cpu_request: int, cpu_limit: int, memory_request: int, memory_limit: int) -> dict[str, Any]:
    """Requests and limits from CPU in millicores and memory in MiB (``"250m"``, ``"256Mi"``)."""
    return {"limits": {"cpu": f"{cpu_limit}m", "memory": f"{memory_limit}Mi"},
            "requests": {"cpu": f"{cpu_request}m", "memory": f"{memory_request}Mi"}}


def value(name: str, text: str) -> dict[str, Any]:
    """An environment variable with a literal value."""
    return {"name": name, "value": text}


def secret_value(name: str, secret: str, key: str) -> dict[str, Any]:
    """An environment variable read from ``key`` of the Secret ``secret`` when the container starts."""
    return {"name": name, "valueFrom": {"secretKeyRef": {"key": key, "name": secret}}}


def empty_dir(name: str, mebibytes: int) -> dict[str, Any]:
    """A node-local scratch volume of at most ``mebibytes`` MiB, deleted with the pod."""
    return {"emptyDir": {"sizeLimit": f"{mebibytes}Mi"}, "name": name}


def mount(path: str, volume: str, *, read_only: bool = False) -> dict[str, Any]:
    """A volume mount of ``volume`` at ``path``."""
    return {"mountPath": path, "name": volume, **({"readOnly": True} if read_only else {})}


def container(name: str, image: str, *, user: int, resources: dict[str, Any], command: list[str] | None = None,
              env: list[dict[str, Any]] | None = None, mounts: list[dict[str, Any]] | None = None,
              **fields: Any) -> dict[str, Any]:
    """A container as ``user`` with ``container_security`` and ``imagePullPolicy: IfNotPresent`` (every
    image it runs is pinned: a release tag, a digest or an immutable ECR tag); ``fields`` are further
    container fields (``ports``, probes) as written. None and empty values are left out."""
    return {"name": name, "image": image, "imagePullPolicy": "IfNotPresent", "command": command, "env": env or None,
            "resources": resources, "securityContext": container_security(user), "volumeMounts": mounts or None,
            **fields}


def pod_spec(*, user: int, containers: list[dict[str, Any]], init_containers: list[dict[str, Any]] | None = None,
             volumes: list[dict[str, Any]] | None = None, restart_policy: str = "Always",
             service_account: str | None = None, grace_seconds: int = DEFAULT_GRACE_SECONDS) -> dict[str, Any]:
    """A hardened pod spec (``harden``) as ``user``, no API token, with the fields cdk8s-plus defaulted written out."""
    return harden(sorted_fields({
        "automountServiceAccountToken": False,
        "containers": containers,
        "initContainers": init_containers or None,
        "dnsPolicy": "ClusterFirst",
        "hostNetwork": False,
        "restartPolicy": restart_policy,
        "securityContext": pod_security(user),
        "serviceAccountName": service_account,
        "setHostnameAsFQDN": False,
        "terminationGracePeriodSeconds": grace_seconds,
        "volumes": volumes or None,
    }))


def harden(pod: dict[str, Any]) -> dict[str, Any]:
    """Adds RuntimeDefault seccomp to ``pod`` (a sorted pod spec) and to each of its containers and
    init containers, drops every capability of each, and turns service links off; returns ``pod``."""
    pod["securityContext"]["seccompProfile"] = dict(_RUNTIME_DEFAULT)
    for item in (*pod["containers"], *pod.get("initContainers", ())):
        context = item["securityContext"]
        context["seccompProfile"] = dict(_RUNTIME_DEFAULT)
        context["capabilities"] = {"drop": ["ALL"]}
    # Service links inject a variable per Service of the namespace into every container's environment.
    pod["enableServiceLinks"] = False
    return pod


def workload_spec(fields: dict[str, Any], *, workload: cdk8s.ApiObject, labels: dict[str, str],
                  pod: dict[str, Any]) -> dict[str, Any]:
    """The spec of a StatefulSet, Job or Job template: ``fields`` sorted, and ``template`` made of
    ``labels`` plus ``ADDRESS_LABEL`` (from ``workload``'s construct path) and the hardened ``pod``,
    whose key order ``harden`` set and which is not sorted again."""
    template = {"metadata": {"labels": sorted_fields({**labels, ADDRESS_LABEL: cdk8s.Names.to_label_value(workload)})},
                "spec": pod}
    return sorted_with(fields, template=template)

