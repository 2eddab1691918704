"""Index creation before a new version serves: the service's index script as an Argo CD sync hook.

Zacatl turns Mongoose index creation off on boot when APP_ENV is production, prod or staging
(``facts.zacatl.INDEX_BOOT_OFF_ENVIRONMENTS``), and the reference example creates indexes only in
local and development, so in every cloud environment a migration must create them. The Job runs
``node <database.index_script>`` in the service's own image (same contract variables, same
connection string), in sync wave ``JOB_WAVE``: after the service's ExternalSecret and Secret
(wave ``sync.WORKLOADS``), before its Deployment, which ``charts.ServiceChart`` moves to
``DEPLOYMENT_WAVE``. Argo CD waits for each wave to be healthy, a Job hook to complete.

Why a Sync-phase hook and not PreSync: one root Application syncs the whole ``dist/<env>/``
(``sync.py``), namespace and External Secrets included. A PreSync hook runs before all of them, so on
a fresh cluster it would start in a namespace that does not exist yet, without its Secret, and
block every later sync. Ordered by waves inside the Sync phase, it runs as late as it may and as
early as it must. For kubectl users: ``docs/disaster-recovery.md`` (apply, wait, then the rest).

The Job and its NetworkPolicy are plain ``cdk8s.ApiObject``s (``raw_fields.PlainApiObject``, bodies
from ``hardening``): they are per service, and cdk8s-plus-27 took 36 jsii round trips for them (an
``EnvValue`` per variable, a construct per peer) where they take 8, same YAML (docs/performance.md, phase 3).
"""

from __future__ import annotations

import cdk8s
from constructs import Construct

from .. import naming, runtime, sync
from ..config import EnvironmentConfig, ServiceSpec
from ..config.quantity import cpu_millicores, memory_bytes
from ..facts import zacatl
from .backup import job_labels
from .database import database_egress_rules
from .hardening import container, pod_spec, resources, secret_value, value, workload_spec
from .network_policy import workload_policy
from .raw_fields import PlainApiObject

HOOK = "argocd.argoproj.io/hook"
HOOK_DELETE_POLICY = "argocd.argoproj.io/hook-delete-policy"
SYNC_WAVE = sync.WAVE_ANNOTATION
#: The policy lands with the service's other objects, the Job one wave later (its Secret exists by
#: then), the new Deployment one wave after the Job completed.
POLICY_WAVE = sync.WORKLOADS
JOB_WAVE = sync.WORKLOADS + 1
DEPLOYMENT_WAVE = sync.WORKLOADS + 2
#: An index build on a large collection can take a while; past 30 minutes the sync fails visibly.
DEADLINE_SECONDS = 30 * 60


def hook_annotations(wave: int) -> dict[str, str]:
    """A Sync-phase hook in ``wave``, replaced on every sync (a Job's template is immutable)."""
    return {HOOK: "Sync", HOOK_DELETE_POLICY: "BeforeHookCreation", SYNC_WAVE: str(wave)}


class IndexMigration(Construct):
    """Job ``<service>-db-migrate`` (Sync hook, ``JOB_WAVE``) and its NetworkPolicy (``POLICY_WAVE``).

    Same image, user, contract variables and database secret as the service's Deployment; one
    attempt (``backoffLimit`` 0), 30-minute deadline, restricted Pod Security, no API token.
    Raises ValueError when ``spec.database.index_script`` is not set.
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig, spec: ServiceSpec) -> None:
        super().__init__(scope, id_)
        if spec.database is None or spec.database.index_script is None:
            raise ValueError(f"environment {env.name!r}, service {spec.name!r}: database.index_script is not set")
        labels = job_labels(env, spec, "migrate")
        name = labels["app.kubernetes.io/name"]
        secret = naming.kubernetes_secret_name(spec)
        env_vars = [value(k, v) for k, v in runtime.platform_variables(env, spec).items()]
        env_vars += [secret_value(ref.env_var, secret, ref.key) for ref in spec.all_secrets]
        user = zacatl.RUNTIME_IMAGE.user_id
        annotations = hook_annotations(JOB_WAVE)
        annotations["checkov.io/skip1"] = ("CKV_K8S_35=the contract's secrets are env vars by design, from the "
                                           "service's Secret by reference, exactly as its Deployment reads them")
        if spec.image.digest is None:
            annotations["checkov.io/skip2"] = ("CKV_K8S_43=the service's own image: its tag lives in an ECR repository "
                                               "with immutable tags, or is a locally built image in local")
        self.job = PlainApiObject(
            self, "Job", api_version="batch/v1", kind="Job",
            metadata=cdk8s.ApiObjectMetadata(name=name, labels=labels, annotations=annotations))
        migrate = container(
            "migrate", naming.image_uri(env, spec), user=user,
            command=[zacatl.RUNTIME_IMAGE.node, spec.database.index_script],
            env=env_vars,
            resources=resources(int(cpu_millicores(spec.resources.cpu_request)),
                                int(cpu_millicores(spec.resources.cpu_limit)),
                                int(memory_bytes(spec.resources.memory_request) // 2**20),
                                int(memory_bytes(spec.resources.memory_limit) // 2**20)),
        )
        self.job.add_fields({"spec": workload_spec(
            {"backoffLimit": 0, "activeDeadlineSeconds": DEADLINE_SECONDS}, workload=self.job, labels=labels,
            pod=pod_spec(user=user, containers=[migrate], restart_policy="Never"))})
        self.network_policy = workload_policy(self, "NetworkPolicy", name=name, labels=labels,
                                              annotations=hook_annotations(POLICY_WAVE),
                                              egress=database_egress_rules(env, spec))
