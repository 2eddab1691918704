"""The recommended `app.kubernetes.io/*` labels, built in one place for every object."""

from __future__ import annotations

from ..config import EnvironmentConfig, ServiceSpec

MANAGED_BY = "zacatl-infra"
PART_OF = "zacatl"


def environment_labels(env: EnvironmentConfig) -> dict[str, str]:
    """Labels of objects that belong to the environment as a whole (namespace, policies)."""
    return {
        "app.kubernetes.io/part-of": PART_OF,
        "app.kubernetes.io/managed-by": MANAGED_BY,
        "zacatl.io/environment": env.name,
    }


def selector_labels(service: ServiceSpec) -> dict[str, str]:
    """Labels that select a service's pods. Stable by design: a Deployment selector is immutable."""
    return {"app.kubernetes.io/name": service.name, "app.kubernetes.io/instance": service.name}


def service_labels(env: EnvironmentConfig, service: ServiceSpec) -> dict[str, str]:
    """All recommended labels of a service's objects: ``component`` says what the service is (api,
    worker), and ``version`` is the release tag when the image has one."""
    labels = {**environment_labels(env), **selector_labels(service), "app.kubernetes.io/component": service.component}
    if service.image.tag:
        labels["app.kubernetes.io/version"] = service.image.tag
    return labels
