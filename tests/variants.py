"""The outputs that tests build beyond the committed environments and hand to the checkers, written
by ONE background process (``python -m tests.variants OUTDIR``, started by tests/jobs.py).

checkov starts in about 2.5 s of CPU and cfn-lint in about 1.3 s, so each of these variants once
paid for its own checker runs. Written here, into the folder the session's single checkov and
single cfn-lint runs read, they are judged in those runs; each variant's test reads its own part
of the reports (tests/checks/reports.py) and proves the file judged is the one it tests.

Each variant is built by the function or settings its test module uses, and each test asserts
that the file judged equals what its module builds (prod with AWS callers and the DocumentDB
environment: their modules read the judged templates themselves), so nothing here can drift unseen; a variant
that fails is written to ``failed.json`` with its error (the others still get checked) and its own
test reports it.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

#: Sub-folder of OUTDIR per variant.
DOCUMENTDB = "documentdb"
AWS_APIS = "aws-apis"
SERVICE_STACK = "service-stack"
DOCKERFILES = "dockerfiles"
FAILED = "failed.json"


def _documentdb(outdir: Path) -> None:
    """tests/cloud/test_documentdb.py's ``prod``: DocumentDB, backups replicated (its DR stack too)."""
    from .cloud.test_documentdb import _synth
    from .documentdb import REPLICATED, documentdb_environment

    _synth(documentdb_environment("prod", backups=REPLICATED), outdir)


def _aws_apis(outdir: Path) -> None:
    """tests/contract/test_aws_api_endpoints.py's ``extended``: prod with three AWS callers added."""
    from zacatl_infra.synth import synth_cloud

    from .conftest import ENVIRONMENTS
    from .contract.test_aws_api_endpoints import _with_aws_callers

    synth_cloud([_with_aws_callers(ENVIRONMENTS["prod"])], outdir)


def _service_stack(outdir: Path) -> None:
    """tests/cloud/test_service_stack.py's ``synthesized``: a team's ServiceStack in dev, built as
    that fixture builds it (its test compares the two templates)."""
    from zacatl_infra import naming
    from zacatl_infra.cloud.app import cloud_app
    from zacatl_infra.cloud.service_stack import ServiceStack
    from zacatl_infra.policy import add_policy_plugins

    from .cloud.test_service_stack import _team_env
    from .conftest import ENVIRONMENTS

    env = _team_env(ENVIRONMENTS["dev"])
    app = cloud_app(outdir=outdir)
    ServiceStack(app, naming.stack_name(env), env=env)
    add_policy_plugins(app)
    app.synth()


def _dockerfiles(outdir: Path) -> None:
    """tests/local/test_container.py's recipe: each local service's repository-root Dockerfile."""
    from .local.test_container import checkov_dockerfiles

    checkov_dockerfiles(outdir)


VARIANTS: dict[str, Callable[[Path], None]] = {
    DOCKERFILES: _dockerfiles, DOCUMENTDB: _documentdb, AWS_APIS: _aws_apis, SERVICE_STACK: _service_stack}


def main(outdir: Path) -> int:
    failed = {}
    for name, build in VARIANTS.items():
        try:
            build(outdir / name)
        except Exception:  # noqa: BLE001 - reported to the variant's own test, the others still run
            failed[name] = traceback.format_exc()
    (outdir / FAILED).write_text(json.dumps(failed, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
