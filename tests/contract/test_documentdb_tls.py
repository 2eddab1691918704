"""DocumentDB over verified TLS, offline proof: the connection string a pod gets names a CA file that
the image contract puts into the image, with the options DocumentDB needs, for the service and its
migration Job alike.

Facts (``facts/documentdb.py``, ``facts/mongodb_driver.py``, each with its source, read 2026-11-29):
- DocumentDB enforces TLS; its certificates chain to the Amazon RDS CAs, which Node does not trust by
  default; the bundle is ``truststore.pki.rds.amazonaws.com/global/global-bundle.pem`` (DocumentDB
  developer guide, connect_programmatically.html and ca_cert_rotation.html); AWS's replica-set
  options are ``tls=true&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false``.
- Zacatl v0.0.61 hands ``MONGO_URI`` to mongoose unchanged, which hands it to the driver 7.5.0; that
  driver reads ``tlsCAFile`` from the URI, only while ``tls`` is on, at the first connect
  (mongodb/node-mongodb-native ``src/connection_string.ts``, ``src/mongo_client.ts`` at v7.5.0).
- A file ADDed from a URL is root-owned with mode 0600 unless ``--chmod`` says otherwise (Dockerfile
  reference, "Adding files from a URL"); the pod runs as 65532, so the file must be world-readable.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import yaml

from zacatl_infra import cli, documentdb_tls, naming
from zacatl_infra.config import presets
from zacatl_infra.facts import documentdb, mongodb_driver
from zacatl_infra.k8s import secrets
from zacatl_infra.k8s.charts import environment_app
from zacatl_infra.local import container

from ..checks.test_kubernetes_schemas import CRDS, crd_schemas, validate_object
from ..conftest import ROOT
from ..documentdb import documentdb_environment
from ..local.test_container import NODE, _stages

SCRIPT = "/app/dist/create-indexes.js"
#: Values standing in for the master secret's keys when the ExternalSecret's template is evaluated.
SAMPLE = {"username": "zacatl", "password": "s3cretPassw0rd", "port": "27017",
          "host": "zacatl-docdb.cluster-abcdefghijkl.eu-west-1.docdb.amazonaws.com"}


@pytest.fixture(scope="module")
def rendered() -> tuple[object, list[dict]]:
    env = documentdb_environment("prod", service={"database": {"name": "greetings", "index_script": SCRIPT}})
    docs = [d for d in yaml.safe_load_all(environment_app(env, Path("/nonexistent")).synth_yaml()) if d]
    return env, docs


def _evaluate(template: str) -> str:
    """The ExternalSecret's Go template with the master secret's keys filled in (ESO template engine v2)."""
    def value(match: re.Match[str]) -> str:
        return SAMPLE[match.group(1).removeprefix("documentdb_")]
    text = re.sub(r'\{\{ index \. "([a-z_]+)" \}\}', value, template)
    assert "{{" not in text, f"an unevaluated template expression is left: {text}"
    return text


def _image_ca_files(dockerfile: str) -> dict[str, tuple[str, int]]:
    """Destination path -> (source URL, mode) of every remote file the runtime stage ADDs."""
    files = {}
    for name, args in _stages(dockerfile)[-1]:
        if name != "ADD":
            continue
        words = args.split()
        flags = dict(w.removeprefix("--").split("=", 1) for w in words if w.startswith("--"))
        source, destination = [w for w in words if not w.startswith("--")]
        files[destination] = (source, int(flags.get("chmod", "600"), 8))  # 0600: ADD's default for a URL
    return files


def _containers(docs: list[dict], kind: str, name: str) -> list[dict]:
    (found,) = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    return found["spec"]["template"]["spec"]["containers"]


def test_the_uri_names_the_ca_file_the_image_holds_with_the_options_documentdb_needs(rendered):
    env, docs = rendered
    spec = env.services[0]
    ref = spec.database.connection_secret
    (external,) = [d for d in docs if d["kind"] == "ExternalSecret"]
    uri = urlsplit(_evaluate(external["spec"]["target"]["template"]["data"][ref.key]))
    options = {k: v for k, (v,) in parse_qs(uri.query, strict_parsing=True).items()}
    # Every option AWS documents for a replica-set connection, with AWS's value.
    required = {k: v for k, (v,) in parse_qs(documentdb.CONNECTION_OPTIONS, strict_parsing=True).items()}
    assert required.items() <= options.items()
    assert options[mongodb_driver.TLS] == "true"  # the driver reads tlsCAFile only with tls on
    assert options[mongodb_driver.RETRY_WRITES] == "false"
    assert options[mongodb_driver.AUTH_SOURCE] == "admin"
    assert (uri.scheme, uri.hostname, uri.port, uri.path) == ("mongodb", SAMPLE["host"], 27017, f"/{spec.database.name}")
    # The CA file it names is in the image the pod runs, fetched from AWS's bundle, readable by the pod's user.
    ca_file = options[mongodb_driver.CA_FILE]
    image_files = _image_ca_files(container.dockerfile(spec))
    assert ca_file in image_files, f"{ca_file} is not put into the runtime image; it ADDs {sorted(image_files)}"
    source, mode = image_files[ca_file]
    assert source == documentdb.CA_BUNDLE_URL and source.startswith("https://")
    assert mode & 0o004, f"{ca_file} is mode {mode:o}, root-owned: user 65532 cannot read it"
    assert not mode & 0o222, "the bundle is read-only"


def test_the_service_and_its_migration_job_read_that_uri_from_the_same_image(rendered):
    env, docs = rendered
    spec = env.services[0]
    ref = spec.database.connection_secret
    (external,) = [d for d in docs if d["kind"] == "ExternalSecret"]
    target = external["spec"]["target"]["name"]
    for kind, name in (("Deployment", spec.name), ("Job", f"{spec.name}-db-migrate")):
        (main,) = [c for c in _containers(docs, kind, name)]
        assert main["image"] == naming.image_uri(env, spec), f"{kind} {name} does not run the service's image"
        (variable,) = [e for e in main["env"] if e["name"] == ref.env_var]
        assert variable["valueFrom"]["secretKeyRef"] | {"optional": False} == {
            "name": target, "key": ref.key, "optional": False}, f"{kind} {name}: {variable}"
        # A volume mounted over the bundle's folder would hide the image's file from the driver.
        mounts = [m["mountPath"].rstrip("/") for m in main.get("volumeMounts", [])]
        hidden = [m for m in mounts if (documentdb_tls.CA_BUNDLE_PATH + "/").startswith(m + "/")]
        assert not hidden, f"{kind} {name} mounts {hidden} over {documentdb_tls.CA_BUNDLE_PATH}"


def test_the_scaffold_dockerfile_of_a_new_service_puts_the_bundle_in_the_same_place():
    # What `zacatl-infra init` writes into a service repository's root: the image CI builds and pushes.
    files = cli.scaffold_files(team="billing", service="billing-worker", requirement="zacatl-infra")
    source, mode = _image_ca_files(files["Dockerfile"])[documentdb_tls.CA_BUNDLE_PATH]
    assert (source, mode) == (documentdb.CA_BUNDLE_URL, documentdb_tls.CA_BUNDLE_MODE)


def test_fails_a_dockerfile_without_the_bundle():
    # The check above sees the bundle only where the Dockerfile ADDs it: a user's own Dockerfile
    # without that line leaves the connection string naming a file the image does not hold.
    spec = presets.zacatl_example_backend("prod", image={"tag": "1.0.0"})
    without = "\n".join(line for line in container.dockerfile(spec).splitlines() if not line.startswith("ADD "))
    assert documentdb_tls.CA_BUNDLE_PATH not in _image_ca_files(without)
    assert _image_ca_files(container.dockerfile(spec))[documentdb_tls.CA_BUNDLE_PATH][1] == 0o444


def test_the_ca_file_is_reread_within_five_minutes_of_a_rotation(rendered):
    # The master secret's single-user rotation changes the password at once; new connections fail
    # until the Secret follows, so its ExternalSecret re-reads it every 5 minutes (secrets.py).
    _, docs = rendered
    (external,) = [d for d in docs if d["kind"] == "ExternalSecret"]
    assert external["spec"]["refreshInterval"] == secrets.DOCUMENTDB_REFRESH_INTERVAL == "5m"


#: Parses a connection string with the driver Zacatl resolves (mongodb 7.5.0, a pinned devDependency
#: in package.json), then connects once with a 100 ms server selection timeout; prints what it parsed
#: and how the connect failed.
_DRIVER = """
const { MongoClient } = require(process.argv[1]);
const client = new MongoClient(process.argv[2], { serverSelectionTimeoutMS: 100 });
const o = client.options;
const parsed = { tls: o.tls, tlsCAFile: o.tlsCAFile, retryWrites: o.retryWrites, replicaSet: o.replicaSet,
  readPreference: o.readPreference.mode, authSource: o.credentials && o.credentials.source, dbName: o.dbName };
client.connect().then(
  () => { console.log(JSON.stringify({ parsed, error: null })); process.exit(0); },
  (e) => { console.log(JSON.stringify({ parsed, error: { name: e.name, code: e.code || null, message: e.message } }));
           process.exit(0); });
"""


def _driver(uri: str) -> dict:
    module = ROOT / "node_modules" / "mongodb"
    version = json.loads((module / "package.json").read_text())["version"]
    assert version == mongodb_driver.DRIVER_VERSION, f"package.json pins mongodb {version}, the facts say " \
                                                     f"{mongodb_driver.DRIVER_VERSION}: keep them one"
    result = subprocess.run([str(NODE), "-e", _DRIVER, str(module), uri], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_the_driver_zacatl_uses_reads_the_uri_as_documentdb_needs_and_opens_the_ca_file(rendered, tmp_path):
    env, docs = rendered
    spec = env.services[0]
    (external,) = [d for d in docs if d["kind"] == "ExternalSecret"]
    template = external["spec"]["target"]["template"]["data"][spec.database.connection_secret.key]
    # A host nothing answers on: the driver parses the URI, opens the CA file, then fails server selection.
    uri = _evaluate(template).replace(f"{SAMPLE['host']}:{SAMPLE['port']}", "127.0.0.1:1")
    report = _driver(uri)
    assert report["parsed"] == {"tls": True, "tlsCAFile": documentdb_tls.CA_BUNDLE_PATH, "retryWrites": False,
                                "replicaSet": "rs0", "readPreference": "secondaryPreferred", "authSource": "admin",
                                "dbName": spec.database.name}
    # Here the bundle's path does not exist: the connect fails on the file, naming it, before any network.
    assert report["error"]["code"] == "ENOENT" and documentdb_tls.CA_BUNDLE_PATH in report["error"]["message"]
    # With the file present (a stand-in PEM at another path), the connect gets past it to the network.
    ca = tmp_path / "bundle.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")
    report = _driver(uri.replace(quote(documentdb_tls.CA_BUNDLE_PATH, safe=""), quote(str(ca), safe="")))
    assert report["parsed"]["tlsCAFile"] == str(ca)
    assert report["error"]["name"] == "MongoServerSelectionError", report["error"]


def test_the_documentdb_objects_validate_against_their_schemas(rendered):
    # The ExternalSecret (its CRD, vendored in tests/crds/) and the Deployment and migration Job
    # (kubernetes-validate strict, every supported minor): no committed environment renders them.
    _, docs = rendered
    crds = crd_schemas(CRDS)
    checked = [d for d in docs if d["kind"] in ("ExternalSecret", "Deployment", "Job")]
    assert {d["kind"] for d in checked} == {"ExternalSecret", "Deployment", "Job"}
    results = {f"{d['kind']}/{d['metadata']['name']}": validate_object(d, crds) for d in checked}
    assert results[next(k for k in results if k.startswith("ExternalSecret/"))][0] == "crd"
    assert not {k: errors for k, (_, errors) in results.items() if errors}
