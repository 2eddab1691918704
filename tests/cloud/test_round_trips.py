"""The cloud layer's cost in jsii round trips, per environment stack and per hot construct.

Every request from Python to the Node kernel of jsii (create, get, set, invoke, static calls) is a
round trip through a pipe and a process switch: on a loaded machine that, more than the work each
does, is what makes a synth slow. docs/performance.md ("Hot constructs use L1s and plain objects")
lists what each construct cost before and after the changes of issue 10. A count, not a time: it
cannot flake under load, and a change that adds round trips to a hot path fails here and says where.
"""

from __future__ import annotations

import pytest

from zacatl_infra import naming
from zacatl_infra.cloud.alarms import Alarms
from zacatl_infra.cloud.app import cloud_app
from zacatl_infra.cloud.backups import BackupBucket
from zacatl_infra.cloud.cluster import Cluster
from zacatl_infra.cloud.identity import WorkloadIdentities
from zacatl_infra.cloud.network import Network
from zacatl_infra.cloud.stack import EnvironmentStack

from ..conftest import CLOUD_ENVIRONMENT_NAMES

#: Round trips each hot construct may cost, inclusive of its children, in any committed environment,
#: and each environment's whole stack. Measured before -> after issue 10 (dev / staging / prod):
#: EnvironmentStack 461 / 475 / 545 -> 297 / 311 / 376, WorkloadIdentities 175 -> 75, Cluster 127-130 -> 78-84,
#: Alarms 44-46 -> 26-28, BackupBucket 13 / 13 / 42 -> 13 / 13 / 40, Network 55-65 unchanged (the VPC L2). The bounds leave
#: a few trips of room; a new construct should come with its own line.
BUDGET = {
    WorkloadIdentities: 80,
    Cluster: 88,
    Network: 68,
    Alarms: 30,
    BackupBucket: 42,  # prod: the replication role and its grants
    EnvironmentStack: 0,  # per environment, below
}
STACK_BUDGET = {"dev": 305, "staging": 320, "prod": 385}
_REQUESTS = ("create", "get", "set", "sget", "sset", "invoke", "sinvoke", "begin", "sbegin", "end", "callbacks",
             "complete", "load", "delete")


@pytest.fixture(scope="module")
def round_trips(environments) -> dict[str, dict[type, int]]:
    """Environment -> construct class -> round trips (inclusive), each environment's stack built once."""
    from jsii._kernel.providers.process import ProcessProvider

    # Warm-up: the first stack also loads assemblies (one `load` each), which later ones do not.
    EnvironmentStack(cloud_app(), "warm-up", env=environments["prod"])
    app = cloud_app()
    trips: list[str] = []
    counted: dict[str, dict[type, int]] = {name: {} for name in CLOUD_ENVIRONMENT_NAMES}
    current: list[str] = []
    patch = pytest.MonkeyPatch()
    try:
        for name in _REQUESTS:
            original = getattr(ProcessProvider, name, None)
            if original is not None:
                patch.setattr(ProcessProvider, name, lambda self, *a, __o=original, __n=name, **k: (
                    trips.append(__n), __o(self, *a, **k))[1])
        for cls in BUDGET:
            def counting(self, *args, __init=cls.__init__, __cls=cls, **kwargs):  # noqa: ANN001, ANN202
                before = len(trips)
                __init(self, *args, **kwargs)
                per_class = counted[current[-1]]
                per_class[__cls] = per_class.get(__cls, 0) + len(trips) - before
            patch.setattr(cls, "__init__", counting)
        for env_name in CLOUD_ENVIRONMENT_NAMES:
            current.append(env_name)
            EnvironmentStack(app, naming.stack_name(environments[env_name]), env=environments[env_name])
    finally:
        patch.undo()
    return counted


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_hot_cloud_constructs_cost_few_jsii_round_trips(env_name, round_trips):
    counted = round_trips[env_name]
    assert set(counted) == set(BUDGET), "a construct was not built: the test proves nothing for it"
    budget = {**BUDGET, EnvironmentStack: STACK_BUDGET.get(env_name, max(STACK_BUDGET.values()))}
    over = {cls.__name__: f"{counted[cls]} > {bound}" for cls, bound in budget.items() if counted[cls] > bound}
    assert not over, (over, {cls.__name__: n for cls, n in counted.items()})
    # The counter works: a stack of this size cannot be built in a handful of requests.
    assert counted[EnvironmentStack] > 100
