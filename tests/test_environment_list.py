"""Issue 11: adding a fifth environment file needs no test edit other than new snapshots.

A scratch project holds the committed environments/ plus `qa`, a second environment on the staging
tier (staging.py with its own name, account, domain and zone). What lists the environments then
picks `qa` up by itself: the session's parametrization (tests/conftest.py, run unchanged against the
scratch project), the loader (with its checks between environments) and synth's workload layer.
Only `qa`'s workload layer is rendered: the other environments are the session's, rendered once.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from zacatl_infra import naming
from zacatl_infra.config import ConfigError, load_environments
from zacatl_infra.synth import render_workloads

from .conftest import ENVIRONMENT_NAMES, ROOT, YamlLoader

#: The added environment's name: ``qa``, or the first of these the project does not have yet (a user
#: who added ``qa`` themselves runs this test too).
NEW = next(n for n in ("qa", "uat", "perf", "preprod", "sandbox") if n not in ENVIRONMENT_NAMES)
#: staging.py -> <NEW>.py: every value that must differ between two environments of one platform.
_QA = {
    'name="staging"': f'name="{NEW}"',
    '"222222222222"': '"444444444444"',
    'domain="staging.zacatl.example.com"': f'domain="{NEW}.zacatl.example.com"',
    '"Z01234567STGZONE0002"': '"Z01234567QAZONE00005"',
}


def _project_with_qa(root: Path) -> Path:
    shutil.copytree(ROOT / "environments", root / "environments")
    text = (ROOT / "environments" / "staging.py").read_text()
    for old, new in _QA.items():
        assert old in text, f"environments/staging.py no longer has {old}: update _QA"
        text = text.replace(old, new)
    (root / "environments" / f"{NEW}.py").write_text(text)
    # The session's own derivation, copied unchanged: ROOT is the folder above tests/.
    (root / "tests").mkdir()
    for name in ("__init__.py", "conftest.py", "jobs.py"):
        shutil.copy(ROOT / "tests" / name, root / "tests" / name)
    return root


def test_a_fifth_environment_file_is_parametrized_loaded_and_rendered_without_a_test_edit(tmp_path: Path):
    root = _project_with_qa(tmp_path / "project")
    derived = subprocess.run(
        [sys.executable, "-c", "import json\nfrom tests import conftest as c\n"
                               "print(json.dumps([c.ENVIRONMENT_NAMES, c.CLOUD_ENVIRONMENT_NAMES]))"],
        cwd=root, capture_output=True, text=True, timeout=120)
    assert derived.returncode == 0, derived.stderr
    names, cloud_names = json.loads(derived.stdout.splitlines()[-1])
    assert names == sorted([*ENVIRONMENT_NAMES, NEW]) and NEW in cloud_names

    envs = {e.name: e for e in load_environments(root / "environments")}
    qa = envs[NEW]
    assert (qa.tier, qa.account, qa.domain) == ("staging", "444444444444", f"{NEW}.zacatl.example.com")
    assert naming.stack_name(qa) != naming.stack_name(envs["staging"])

    render_workloads([qa], tmp_path / "dist")
    files = sorted((tmp_path / "dist" / NEW).glob("*.yaml"))
    assert files and files[0].name == "00-namespace.yaml"
    documents = [d for f in files for d in yaml.load_all(f.read_text(), Loader=YamlLoader) if d]
    deployments = [d for d in documents if d["kind"] == "Deployment"]
    assert deployments and {d["metadata"]["namespace"] for d in deployments} == {naming.namespace(qa)}
    namespaces = {d["metadata"].get("namespace") for d in documents} - {None}
    assert not [n for n in namespaces if "staging" in n], "qa's objects land in staging's namespace"
    hosts = {rule["host"] for d in documents if d["kind"] == "Ingress" for rule in d["spec"]["rules"]}
    assert hosts and all(host.endswith(f".{NEW}.zacatl.example.com") or host == f"{NEW}.zacatl.example.com"
                         for host in hosts)


def test_a_copied_environment_that_keeps_stagings_domain_fails_at_load(tmp_path: Path):
    # The loader's checks between environments see the new file too: a copy left half-edited fails.
    root = _project_with_qa(tmp_path / "project")
    qa = root / "environments" / f"{NEW}.py"
    qa.write_text(qa.read_text().replace(f'domain="{NEW}.zacatl.example.com"', 'domain="staging.zacatl.example.com"'))
    with pytest.raises(ConfigError, match="staging.zacatl.example.com"):
        load_environments(root / "environments")
