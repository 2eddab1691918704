"""What each entry point loads: a config error is reported before any construct library is imported,
the workload-only path (`cdk8s synth`) never loads the AWS layer, and `python app.py` never loads
cdk-nag (it runs on the `cdk synth`/`cdk deploy` path only, docs/performance.md).

Loading aws-cdk-lib, cdk-nag and cdk8s starts the jsii kernel (Node) and loads their assemblies:
about 1 s here (issue 10's profile: 0.94 s of a 2.7 s synth), against about 0.1 s for pydantic and
the config. Each test runs a fresh interpreter and reads its ``sys.modules``, which does not depend on
how loaded the machine is, unlike a timing bound.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT
from .jobs import CliRun

#: Top-level modules of the construct libraries and their runtime.
CONSTRUCT_LIBRARIES = ("aws_cdk", "cdk_nag", "cdk8s", "cdk8s_plus_27", "constructs", "jsii")
AWS_LAYER = ("aws_cdk", "cdk_nag")

_REPORT = """
import json, sys
from pathlib import Path
{body}
print(json.dumps({{"rc": rc, "loaded": sorted({{m.split(".")[0] for m in sys.modules}})}}))
"""


def _run(body: str, env: dict[str, str] | None = None) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in ("CDK_OUTDIR", "CDK8S_OUTDIR")}
    result = subprocess.run([sys.executable, "-c", _REPORT.format(body=body)], capture_output=True, text=True,
                            env={**clean, **(env or {})}, timeout=240)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1]) | {"stderr": result.stderr}


def _project(tmp_path: Path) -> Path:
    """A scratch project: the committed environments and cdk.json."""
    shutil.copytree(ROOT / "environments", tmp_path / "environments")
    shutil.copy(ROOT / "cdk.json", tmp_path / "cdk.json")
    return tmp_path


def test_a_config_error_is_reported_before_any_construct_library_loads(tmp_path: Path):
    root = _project(tmp_path)
    staging = root / "environments" / "staging.py"
    staging.write_text(staging.read_text().replace('image={"tag": "1.4.0"}', 'image={"tag": "1.4.0"}, scaling={"min_replicas": 9, "max_replicas": 2}'))
    report = _run(f"from zacatl_infra.synth import main\nrc = main([], Path({str(root)!r}))")
    assert report["rc"] == 2 and "environment 'staging' is invalid" in report["stderr"], report["stderr"]
    loaded = sorted(set(report["loaded"]) & set(CONSTRUCT_LIBRARIES))
    assert not loaded, f"a config error loaded {loaded} first"


def test_the_package_face_loads_constructs_only_when_one_is_used():
    report = _run("import zacatl_infra\nfrom zacatl_infra import ConfigError, presets\nrc = 0")
    assert not set(report["loaded"]) & set(CONSTRUCT_LIBRARIES), report["loaded"]
    # ... and every re-exported name still resolves, to the object its module defines.
    import importlib

    import zacatl_infra
    for name in zacatl_infra.__all__:
        module = importlib.import_module(zacatl_infra._EXPORTS[name], "zacatl_infra")
        assert getattr(zacatl_infra, name) is getattr(module, name), name
    assert set(dir(zacatl_infra)) >= set(zacatl_infra.__all__)


def test_the_workload_only_path_never_loads_the_aws_layer(cdk8s_cli: CliRun):
    # The session's `cdk8s synth` run (tests/jobs.py) with Python's import-time log on.
    outdir = cdk8s_cli.check()
    assert list(outdir.glob("*/*.yaml")), "nothing was rendered: the test proves nothing"
    imported = cdk8s_cli.imported()
    assert {"zacatl_infra", "cdk8s"} <= imported, "no import log: was PYTHONPROFILEIMPORTTIME passed through?"
    loaded = sorted(imported & set(AWS_LAYER))
    assert not loaded, f"`cdk8s synth` loaded {loaded}"


def test_python_app_py_never_loads_cdk_nag(tmp_path: Path):
    # cdk-nag's import alone took about 0.25 s of CPU; `python app.py` does not run it, so must not load it.
    root = _project(tmp_path)
    report = _run(f"from zacatl_infra.synth import main\nrc = main(['dev'], Path({str(root)!r}))")
    assert report["rc"] == 0, report["stderr"]
    assert (root / "cdk.out" / "zacatl-dev.template.json").exists() and list((root / "dist" / "dev").glob("*.yaml"))
    assert "aws_cdk" in report["loaded"], "the cloud layer was not synthesized: the test proves nothing"
    assert "cdk_nag" not in report["loaded"]
    # ... nor copies the file assets (about 58 MB) into an assembly that is for reading only (synth.py).
    assert not list((root / "cdk.out").glob("asset.*"))
