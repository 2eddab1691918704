"""How Argo CD syncs: the policy and the sync waves, shared by the root Application the stack
applies (``cloud/gitops.py``) and the Applications rendered into ``dist/<env>/`` (``k8s/addons/``).

Order of one sync of the root Application (lower waves first; Argo CD waits for each wave to be
healthy before the next, Applications included thanks to the health check the Argo CD install adds):

- ``NAMESPACES`` (-10): the environment's Namespace and the platform AppProject;
- ``OPERATORS`` (-5): one Application per platform add-on; their charts bring the CRDs and controllers;
- ``WORKLOADS`` (0, Argo CD's default): SecretStore, ExternalSecrets, services.
"""

from __future__ import annotations

from typing import Any

from .config import EnvironmentConfig

NAMESPACES = -10
OPERATORS = -5
WORKLOADS = 0

#: Annotation that puts an object in a sync wave (Argo CD docs, "Sync Phases and Waves").
WAVE_ANNOTATION = "argocd.argoproj.io/sync-wave"
#: Per-object sync options; custom resources whose CRD arrives in the same sync skip the dry run.
SYNC_OPTIONS_ANNOTATION = "argocd.argoproj.io/sync-options"
SKIP_DRY_RUN = "SkipDryRunOnMissingResource=true"

#: A failed sync is retried 10 times, 10 s, 20 s, 40 s ... at most 5 minutes apart: long enough for a
#: CRD's controller to come up on a fresh cluster, short enough to surface a real error within the hour.
RETRY = {"limit": 10, "backoff": {"duration": "10s", "factor": 2, "maxDuration": "5m"}}


def sync_policy(env: EnvironmentConfig, *, extra_options: tuple[str, ...] = ()) -> dict[str, Any]:
    """Argo CD ``syncPolicy``: automated with prune and self-heal outside prod, manual in prod; retries always.

    In prod a person syncs (``argocd app sync``) after reading the diff; elsewhere Git is applied as soon
    as it changes and drift is reverted.
    """
    policy: dict[str, Any] = {"retry": RETRY, "syncOptions": ["CreateNamespace=true", *extra_options]}
    if env.tier != "prod":
        policy["automated"] = {"prune": True, "selfHeal": True}
    return policy
