"""The platform AppProject and one Argo CD Application per add-on, as plain ApiObjects
(``raw_fields.PlainApiObject``: three jsii round trips each, kind and group read without one)."""

from __future__ import annotations

import re
from typing import Any

import cdk8s
from constructs import Construct

from ... import naming, sync
from ...config import EnvironmentConfig
from ..labels import environment_labels
from ..raw_fields import PlainApiObject
from . import platform_addons
from .addon import AddOn

ARGO_API_VERSION = "argoproj.io/v1alpha1"


def _api_object(scope: Construct, id_: str, *, kind: str, name: str, wave: int, spec: dict[str, Any],
                env: EnvironmentConfig) -> PlainApiObject:
    return PlainApiObject(scope, id_, api_version=ARGO_API_VERSION, kind=kind, metadata=cdk8s.ApiObjectMetadata(
        name=name, namespace=naming.ARGOCD_NAMESPACE, labels=environment_labels(env),
        annotations={sync.WAVE_ANNOTATION: str(wave)}), fields={"spec": spec})


def _manifest(scope: Construct, addon: str, manifest: dict[str, Any], *, env: EnvironmentConfig) -> PlainApiObject:
    """A built-in object an add-on needs (``AddOn.manifests``), in the first wave with the environment's labels."""
    kind, name = manifest["kind"], manifest["metadata"]["name"]
    return PlainApiObject(
        scope, f"{addon}-{kind}-{name}", api_version=manifest["apiVersion"], kind=kind,
        metadata=cdk8s.ApiObjectMetadata(name=name, labels=environment_labels(env),
                                         annotations={sync.WAVE_ANNOTATION: str(sync.NAMESPACES)}),
        fields={key: value for key, value in manifest.items() if key not in ("apiVersion", "kind", "metadata")})


#: An exact chart version: no ``*``, ``latest``, ``HEAD``, ranges (``^1.2``, ``~1``, ``>=1``) or partial versions.
EXACT_VERSION = re.compile(r"^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$")


def application_spec(env: EnvironmentConfig, addon: AddOn) -> dict[str, Any]:
    """Spec of ``addon``'s Application: its pinned chart, values as an object, the platform project.

    Raises ValueError naming the environment, the add-on and the version when the chart is not pinned exactly.
    """
    chart = addon.chart
    if not EXACT_VERSION.match(str(chart.get("version", ""))):
        raise ValueError(f"environment {env.name!r}, add-on {addon.name!r}: chart version {chart.get('version')!r} "
                         "is not an exact version such as '1.2.3' (no '*', 'latest', 'HEAD' or ranges)")
    return {
        "project": naming.PLATFORM_PROJECT,
        "source": {"repoURL": chart["repo_url"], "chart": chart["chart"], "targetRevision": chart["version"],
                   "helm": {"releaseName": addon.name, "valuesObject": addon.values}},
        "destination": {"name": naming.ARGOCD_IN_CLUSTER, "namespace": addon.namespace},
        # CRDs are large: server-side apply avoids the 256 KiB last-applied annotation limit of client-side apply.
        "syncPolicy": sync.sync_policy(env, extra_options=("ServerSideApply=true",)),
    }


class PlatformAddOns(Construct):
    """AppProject ``naming.PLATFORM_PROJECT`` (wave ``sync.NAMESPACES``) and an Application per add-on
    of ``platform_addons(env)`` (wave ``sync.OPERATORS``), all in namespace ``argocd``; each add-on's
    ``manifests`` (built-in kinds, wave ``sync.NAMESPACES``).

    The project admits only the add-ons' chart repositories and namespaces; it may create cluster-scoped
    objects because the charts install CRDs, ClusterRoles and webhooks.
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig) -> None:
        super().__init__(scope, id_)
        self.addons = platform_addons(env)
        repos = sorted({a.chart["repo_url"] for a in self.addons})
        namespaces = sorted({a.namespace for a in self.addons})
        self.project = _api_object(self, "Project", kind="AppProject", name=naming.PLATFORM_PROJECT,
                                   wave=sync.NAMESPACES, env=env, spec={
            "description": f"platform add-ons of {env.name}, installed from pinned upstream charts",
            "sourceRepos": repos,
            # The EKS Argo CD capability admits a project's Applications only from the namespaces it lists,
            # its own included (facts.eks_argocd_capability.PROJECTS); the chart install ignores the field.
            "sourceNamespaces": [naming.ARGOCD_NAMESPACE],
            "destinations": [{"name": naming.ARGOCD_IN_CLUSTER, "namespace": n} for n in namespaces],
            "clusterResourceWhitelist": [{"group": "*", "kind": "*"}],
        })
        self.manifests = [_manifest(self, addon.name, m, env=env) for addon in self.addons for m in addon.manifests]
        self.applications = {
            addon.name: _api_object(self, addon.name, kind="Application", name=addon.name, wave=sync.OPERATORS,
                                    env=env, spec=application_spec(env, addon))
            for addon in self.addons
        }
