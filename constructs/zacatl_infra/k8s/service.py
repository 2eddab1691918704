"""`ZacatlService`: one ServiceSpec in, every Kubernetes object the microservice needs out."""

from __future__ import annotations

import cdk8s
import cdk8s_plus_27 as kplus
from constructs import Construct

from .. import naming
from ..config import EnvironmentConfig, ServiceSpec
from .labels import selector_labels, service_labels

#: Non-root user and group of the container; above 10000 so it maps to no user on the node.
RUN_AS_USER = 10001


class ZacatlService(Construct):
    """A Zacatl microservice: Deployment and ClusterIP Service.

    Args:
        env: the environment the service runs in (namespace, log level, image registry).
        spec: the service; its tier preset already set replicas and resources.
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig, spec: ServiceSpec) -> None:
        super().__init__(scope, id_)
        labels = service_labels(env, spec)
        metadata = cdk8s.ApiObjectMetadata(name=spec.name, labels=labels)

        self.deployment = kplus.Deployment(
            self,
            "Deployment",
            metadata=metadata,
            # Select on the stable app.kubernetes.io labels, not the construct-path label plus adds.
            select=False,
            replicas=spec.scaling.min_replicas,
            pod_metadata=cdk8s.ApiObjectMetadata(labels=labels),
            automount_service_account_token=spec.automount_service_account_token,
            security_context=kplus.PodSecurityContextProps(
                ensure_non_root=True, user=RUN_AS_USER, group=RUN_AS_USER, fs_group=RUN_AS_USER
            ),
            containers=[
                kplus.ContainerProps(
                    name="app",
                    image=naming.image_uri(env, spec),
                    image_pull_policy=kplus.ImagePullPolicy.IF_NOT_PRESENT,
                    port_number=spec.container_port,
                    env_variables={
                        "NODE_ENV": kplus.EnvValue.from_value("development" if env.is_local else "production"),
                        "PORT": kplus.EnvValue.from_value(str(spec.container_port)),
                        "SERVICE_NAME": kplus.EnvValue.from_value(spec.name),
                        "LOG_LEVEL": kplus.EnvValue.from_value(env.log_level),
                    },
                    resources=kplus.ContainerResources(
                        cpu=kplus.CpuResources(
                            request=kplus.Cpu.millis(_millis(spec.resources.cpu_request)),
                            limit=kplus.Cpu.millis(_millis(spec.resources.cpu_limit)),
                        ),
                        memory=kplus.MemoryResources(
                            request=cdk8s.Size.mebibytes(_mebibytes(spec.resources.memory_request)),
                            limit=cdk8s.Size.mebibytes(_mebibytes(spec.resources.memory_limit)),
                        ),
                    ),
                    liveness=kplus.Probe.from_http_get(spec.health.liveness_path, port=spec.container_port),
                    readiness=kplus.Probe.from_http_get(spec.health.readiness_path, port=spec.container_port),
                    startup=kplus.Probe.from_http_get(spec.health.startup, port=spec.container_port),
                    security_context=kplus.ContainerSecurityContextProps(
                        ensure_non_root=True,
                        read_only_root_filesystem=True,
                        allow_privilege_escalation=False,
                        privileged=False,
                        user=RUN_AS_USER,
                        group=RUN_AS_USER,
                    ),
                )
            ],
        )
        self.deployment.select(kplus.LabelSelector.of(labels=selector_labels(spec)))

        self.service = kplus.Service(
            self,
            "Service",
            metadata=metadata,
            type=kplus.ServiceType.CLUSTER_IP,
            ports=[kplus.ServicePort(name="http", port=80, target_port=spec.container_port)],
        )
        for key, value in selector_labels(spec).items():
            self.service.select_label(key, value)


def _millis(cpu: str) -> int:
    from ..config.quantity import cpu_millicores

    return int(cpu_millicores(cpu))


def _mebibytes(memory: str) -> int:
    from ..config.quantity import memory_bytes

    return int(memory_bytes(memory) // 2**20)
