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
