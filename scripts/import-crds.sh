#!/usr/bin/env bash
# Regenerates constructs/zacatl_infra/imports/ (the External Secrets bindings) offline from the
# vendored CRDs in ../shared/crds. Run from the project root after `make setup`; commit the result,
# including imports/io/external_secrets/_jsii/*.jsii.tgz.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
crds=${CRDS_DIR:-$root/../shared/crds}
strip=${STRIP_TOOL:-$root/../shared/tools/strip_jsii_getters.py}
export PATH="$root/node_modules/.bin:$PATH"   # jsii must run on Node 24, not the machine's Node 20
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# SecretStore (ESO >= 2.4) has a property named getByTitleFallback that jsii rejects (JSII5000):
# import a temporary copy without it; the vendored file stays byte-identical to upstream.
"$root/.venv/bin/python" "$strip" "$crds/external-secrets.io/secretstore.yaml" "$tmp/secretstore.yaml"
# The bindings only need the AWS provider of SecretStore. The full schema describes about forty
# providers and made the generated module take ~0.9 s to import on every synth (make bench); the
# bindings are built from a copy trimmed to `spec.provider.aws`, while the checks still validate
# every rendered SecretStore against the full upstream schema (tests/crds/).
"$root/.venv/bin/python" - "$tmp/secretstore.yaml" <<'PY'
import sys, yaml
path = sys.argv[1]
crd = yaml.safe_load(open(path))
for version in crd["spec"]["versions"]:
    provider = version["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["provider"]
    provider["properties"] = {"aws": provider["properties"]["aws"]}
    provider.pop("maxProperties", None)
    provider.pop("minProperties", None)
yaml.safe_dump(crd, open(path, "w"), sort_keys=False)
PY
# One API group, one call: a second import into the same output would overwrite the module.
{ cat "$crds/external-secrets.io/externalsecret.yaml"; echo '---'; cat "$tmp/secretstore.yaml"; } \
  > "$tmp/external-secrets.io.yaml"
rm -rf "$root/constructs/zacatl_infra/imports/io/external_secrets"
# `cdk8s import` records its (temporary) inputs in cdk8s.yaml: keep the committed file as it is.
cp "$root/cdk8s.yaml" "$tmp/cdk8s.yaml"
trap 'cp "$tmp/cdk8s.yaml" "$root/cdk8s.yaml"; rm -rf "$tmp"' EXIT
(cd "$root" && cdk8s import "$tmp/external-secrets.io.yaml" --language python \
  --output "$root/constructs/zacatl_infra/imports" --no-check-upgrade)
touch "$root/constructs/zacatl_infra/imports/__init__.py" "$root/constructs/zacatl_infra/imports/io/__init__.py"
