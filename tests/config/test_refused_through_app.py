"""Through the real app.py: a refused configuration exits with status 2, reports every invalid
environment, and writes nothing (dist/ byte for byte as before, no cdk.out/, no staging folder)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import ROOT

#: (environment file, text, replacement, what the report must say). Each case breaks several
#: environments or kinds at once, so one run shows they are all reported.
CASES = {
    "fields-in-two-environments": (
        [("staging", 'account="222222222222"', 'account="2222"'),
         ("prod", 'domain="zacatl.example.com"', 'domain="' + "z" * 64 + '.example.com"')],
        ["2 environments are invalid", "environment 'staging' is invalid", "field account",
         "environment 'prod' is invalid", "field domain"],
    ),
    "exception-inside-a-file-and-a-prod-invariant": (
        [("dev", 'region="eu-west-1"', "region=REGION"),
         ("prod", 'image={', 'scaling={"min_replicas": 1}, image={')],
        ["environments/dev.py (line 9) raised NameError", "environment 'prod' is invalid",
         "field services[greetings-api].scaling.min_replicas"],
    ),
    "between-environments": (
        [("staging", 'domain="staging.zacatl.example.com"', 'domain="zacatl.example.com"')],
        ["environment '(all environments)' is invalid", "both use 'zacatl.example.com'"],
    ),
}


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", sorted(CASES))
def test_fails_with_status_2_and_writes_nothing(case: str, tmp_path: Path):
    for name in ("environments", "dist"):
        shutil.copytree(ROOT / name, tmp_path / name)
    for name in ("app.py", "cdk.json"):
        shutil.copy(ROOT / name, tmp_path / name)
    breaks, expected = CASES[case]
    for env, old, new in breaks:
        path = tmp_path / "environments" / f"{env}.py"
        assert old in path.read_text()
        path.write_text(path.read_text().replace(old, new, 1))
    before = _tree(tmp_path / "dist")
    env = {k: v for k, v in os.environ.items() if k not in ("CDK_OUTDIR", "CDK8S_OUTDIR")}
    env["PATH"] = f"{ROOT / 'node_modules' / '.bin'}:{env['PATH']}"
    result = subprocess.run([sys.executable, str(tmp_path / "app.py")], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=240)
    assert result.returncode == 2, result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr
    assert "nothing was written" in result.stderr
    assert _tree(tmp_path / "dist") == before
    assert not (tmp_path / "cdk.out").exists()
    assert not list(tmp_path.glob(".dist-*"))


@pytest.mark.cli
@pytest.mark.parametrize("cli", ["cdk", "cdk8s"])
def test_both_clis_refuse_with_the_report_and_write_nothing(cli: str, tmp_path: Path):
    from ..jobs import cli_env

    for name in ("environments", "app.py", "cdk.json", "cdk8s.yaml"):
        (shutil.copytree if name == "environments" else shutil.copy)(ROOT / name, tmp_path / name)
    breaks, expected = CASES["fields-in-two-environments"]
    for env, old, new in breaks:
        path = tmp_path / "environments" / f"{env}.py"
        path.write_text(path.read_text().replace(old, new, 1))
    app = f"{sys.executable} app.py"
    outdir = tmp_path / "out"
    command = (["cdk", "synth", "--app", app, "--output", str(outdir), "--no-version-reporting", "--no-notices",
                "--quiet"] if cli == "cdk" else ["cdk8s", "synth", "--app", app, "--output", str(outdir),
                                                 "--no-check-upgrade"])
    result = subprocess.run(command, cwd=tmp_path, env=cli_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    for text in expected:
        assert text in output, output
    written = sorted(p.name for p in outdir.rglob("*") if p.name.endswith((".template.json", ".yaml")))
    assert not written, written
