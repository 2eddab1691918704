"""Pod and container settings every platform job and database pod shares, in one place.

cdk8s-plus-27 sets non-root, read-only root filesystem and no privilege escalation itself; it
cannot express ``seccompProfile`` or ``capabilities.drop``, which the ``restricted`` Pod Security
Standard requires, so ``harden`` patches them onto the serialized object through
``RawFieldsOverlay``: the bundled 1.27 L1 classes serialize an object after its JSON patches and
drop what they do not type (a plain-string quantity in ``volumeClaimTemplates`` included); the
overlay applies its patches to the already-serialized JSON.
"""

from __future__ import annotations

import cdk8s
import cdk8s_plus_27 as kplus

from constructs import Construct


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


def container_security(user: int) -> kplus.ContainerSecurityContextProps:
    """Non-root ``user`` (and group), read-only root filesystem, no privilege escalation."""
    return kplus.ContainerSecurityContextProps(
        ensure_non_root=True, read_only_root_filesystem=True, allow_privilege_escalation=False,
        privileged=False, user=user, group=user)


def pod_security(user: int) -> kplus.PodSecurityContextProps:
    """Non-root ``user``; volumes owned by its group (``fsGroup``), changed only when they differ."""
    return kplus.PodSecurityContextProps(
        ensure_non_root=True, user=user, group=user, fs_group=user,
        fs_group_change_policy=kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH)


def resources(cpu_request: int, cpu_limit: int, memory_request: int, memory_limit: int) -> kplus.ContainerResources:
    """CPU in millicores, memory in MiB."""
    return kplus.ContainerResources(
        cpu=kplus.CpuResources(request=kplus.Cpu.millis(cpu_request), limit=kplus.Cpu.millis(cpu_limit)),
        memory=kplus.MemoryResources(request=cdk8s.Size.mebibytes(memory_request),
                                     limit=cdk8s.Size.mebibytes(memory_limit)))


def harden(workload: kplus.Workload, pod_path: str, containers: int, init_containers: int = 0,
           *extra: cdk8s.JsonPatch) -> RawFieldsOverlay:
    """Adds RuntimeDefault seccomp (pod and each container) and drops every capability of each
    container and init container at ``pod_path`` (``/spec/template/spec`` for a Deployment or
    StatefulSet, ``/spec/jobTemplate/spec/template/spec`` for a CronJob); ``extra`` patches follow."""
    patches = [cdk8s.JsonPatch.add(f"{pod_path}/securityContext/seccompProfile", {"type": "RuntimeDefault"}),
               cdk8s.JsonPatch.add(f"{pod_path}/enableServiceLinks", False)]
    for kind, count in (("containers", containers), ("initContainers", init_containers)):
        for i in range(count):
            context = f"{pod_path}/{kind}/{i}/securityContext"
            patches += [cdk8s.JsonPatch.add(f"{context}/seccompProfile", {"type": "RuntimeDefault"}),
                        cdk8s.JsonPatch.add(f"{context}/capabilities", {"drop": ["ALL"]})]
    return RawFieldsOverlay(workload, patches=[*patches, *extra])


class RawFieldsOverlay(cdk8s.ApiObject):
    """Renders ``typed`` (taken out of the tree) with ``patches`` applied after its serializer.

    It becomes the default child of ``owner`` (same id as the typed object had), so
    ``cdk8s.ApiObject.of(owner)`` returns it: later ``add_json_patch`` calls land here and are
    applied last, raw, and labels or annotations added to its ``metadata`` are merged into the
    typed object's (so chart-wide or tool-added metadata is not lost).
    """

    def __init__(self, owner: Construct, *, patches: list[cdk8s.JsonPatch] | None = None) -> None:
        typed = cdk8s.ApiObject.of(owner)
        removed = owner.node.try_remove_child(typed.node.id)
        if not removed:
            raise ValueError(f"{owner.node.path}: its typed object {typed.node.id!r} could not be replaced")
        super().__init__(owner, typed.node.id, api_version=typed.api_version, kind=typed.kind,
                         metadata=cdk8s.ApiObjectMetadata(name=typed.name))
        self._typed = typed
        self._patches: list[cdk8s.JsonPatch] = list(patches or [])

    def add_json_patch(self, *ops: cdk8s.JsonPatch) -> None:
        self._patches.extend(ops)

    def to_json(self) -> object:
        rendered = self._typed.to_json()
        own = self.metadata.to_json()
        metadata = rendered.setdefault("metadata", {})
        for key in ("labels", "annotations"):
            if own.get(key):
                metadata[key] = {**metadata.get(key, {}), **own[key]}
        return cdk8s.JsonPatch.apply(rendered, *self._patches)
