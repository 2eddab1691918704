# The kind path of environment local, rendered by zacatl-infra (zacatl_infra.local.commands).
# Include it from the project's Makefile (`include dist/local/kind/local.mk`), then:
#   make local-up     create the kind cluster, build and load the images, start a throwaway MongoDB
#                     (LOCAL_THROWAWAY_MONGODB=no skips it), create the Secrets from your shell's variables,
#                     apply dist/local/, wait for the rollouts, port-forward
#   make local-down   delete the kind cluster (nothing else on the machine is touched)
# Needs docker, kind v0.32.0 and kubectl on PATH. Every kubectl command names the context
# kind-zacatl-local, so none can reach another cluster of your kubeconfig.

LOCAL_CLUSTER := zacatl-local
LOCAL_CONTEXT := kind-zacatl-local
LOCAL_NAMESPACE := zacatl-local
LOCAL_KUBECTL := kubectl --context $(LOCAL_CONTEXT)

.PHONY: local-tools local-images local-cluster local-database local-secrets local-up local-down

local-tools:
	@for tool in docker kind kubectl; do command -v $$tool >/dev/null || { echo "local-up: $$tool is not on PATH (see docs/local-development.md)"; exit 1; }; done
	@kind version | grep -q 'v0.32.0' || echo "local-up: kind v0.32.0 is the tested version; found $$(kind version)"

local-images: local-tools
	docker build -f dist/local/compose/greetings-api.Dockerfile --target runtime -t zacatl/greetings-api:dev .

local-cluster: local-tools
	kind get clusters | grep -qx '$(LOCAL_CLUSTER)' || kind create cluster --name $(LOCAL_CLUSTER) --config dist/local/kind/cluster.yaml

# A throwaway MongoDB (no authentication, no volume) in a namespace of its own, for services whose
# environment renders no database of its own (set LOCAL_THROWAWAY_MONGODB=no when it does); the
# services' NetworkPolicy allows MongoDB's port in kind's pod network. Default: yes, a service has a database.
LOCAL_THROWAWAY_MONGODB ?= yes

local-database: local-cluster
	@if [ "$(LOCAL_THROWAWAY_MONGODB)" != yes ]; then echo "local-database: LOCAL_THROWAWAY_MONGODB=$(LOCAL_THROWAWAY_MONGODB), none started"; else \
	  $(LOCAL_KUBECTL) get namespace mongodb >/dev/null 2>&1 || $(LOCAL_KUBECTL) create namespace mongodb; \
	  $(LOCAL_KUBECTL) -n mongodb get pod mongodb >/dev/null 2>&1 || \
	    $(LOCAL_KUBECTL) -n mongodb run mongodb --image=mongo:8.0.26 --port=27017 --expose; \
	  echo "local-database: MongoDB answers in the cluster at mongodb://mongodb.mongodb:27017/greetings: export MONGO_URI with it"; fi

local-secrets: local-cluster
	$(LOCAL_KUBECTL) apply -f dist/local/00-namespace.yaml
	@: "$${MONGO_URI:?export MONGO_URI first}"; $(LOCAL_KUBECTL) -n $(LOCAL_NAMESPACE) create secret generic greetings-api-secrets --from-literal=mongodb-uri="$$MONGO_URI" --dry-run=client -o yaml | $(LOCAL_KUBECTL) apply -f -

local-up: local-images local-cluster local-database local-secrets
	kind load docker-image zacatl/greetings-api:dev --name $(LOCAL_CLUSTER)
	$(LOCAL_KUBECTL) apply -f dist/local/
	$(LOCAL_KUBECTL) -n $(LOCAL_NAMESPACE) rollout status deployment/greetings-api --timeout=180s
	@echo "greetings-api answers on http://127.0.0.1:8082/api/greetings (Ctrl-C stops the port-forward)"
	$(LOCAL_KUBECTL) -n $(LOCAL_NAMESPACE) port-forward service/greetings-api 8082:80

local-down:
	kind delete cluster --name $(LOCAL_CLUSTER)
