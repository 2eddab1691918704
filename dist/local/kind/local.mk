# The kind path of environment local, rendered by zacatl-infra (zacatl_infra.local.commands).
# Include it from the project's Makefile (`include dist/local/kind/local.mk`), then:
#   make local-up     create the kind cluster, build and load the images, create the Secrets (the
#                     in-cluster MongoDB's root user, once; the services' from it and your shell's
#                     variables), apply dist/local/, wait for the rollouts, port-forward
#   make local-down   delete the kind cluster (nothing else on the machine is touched)
# Needs docker, kind v0.32.0 and kubectl on PATH. Every kubectl command names the context
# kind-zacatl-local, so none can reach another cluster of your kubeconfig.
# The in-cluster MongoDB of dist/local/ (StatefulSet mongodb) gets its root user from Secret mongodb-root:
# LOCAL_MONGODB_PASSWORD sets its password on a new cluster (else a random one), later runs read it back.

LOCAL_CLUSTER := zacatl-local
LOCAL_CONTEXT := kind-zacatl-local
LOCAL_NAMESPACE := zacatl-local
LOCAL_KUBECTL := kubectl --context $(LOCAL_CONTEXT)

.PHONY: local-tools local-images local-cluster local-secrets local-up local-down

local-tools:
	@for tool in docker kind kubectl; do command -v $$tool >/dev/null || { echo "local-up: $$tool is not on PATH (see docs/local-development.md)"; exit 1; }; done
	@kind version | grep -q 'v0.32.0' || echo "local-up: kind v0.32.0 is the tested version; found $$(kind version)"

local-images: local-tools
	docker build -f dist/local/compose/greetings-api.Dockerfile --target runtime -t zacatl/greetings-api:dev .

local-cluster: local-tools
	kind get clusters | grep -qx '$(LOCAL_CLUSTER)' || kind create cluster --name $(LOCAL_CLUSTER) --config dist/local/kind/cluster.yaml

local-secrets: local-cluster
	$(LOCAL_KUBECTL) apply -f dist/local/00-namespace.yaml
	@$(LOCAL_KUBECTL) -n $(LOCAL_NAMESPACE) get secret mongodb-root >/dev/null 2>&1 || { \
	  password="$${LOCAL_MONGODB_PASSWORD:-$$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')}"; \
	  case "$$password" in *[!A-Za-z0-9._~-]*) echo "local-secrets: LOCAL_MONGODB_PASSWORD may hold only A-Za-z0-9._~- (it goes into a URI)" >&2; exit 1;; esac; \
	  echo "local-secrets: creating Secret mongodb-root, the in-cluster MongoDB's root user (kept until make local-down)"; \
	  $(LOCAL_KUBECTL) -n $(LOCAL_NAMESPACE) create secret generic mongodb-root --from-literal=username=root --from-literal=password="$$password"; }
	@user="$$($(LOCAL_KUBECTL) -n $(LOCAL_NAMESPACE) get secret mongodb-root -o jsonpath='{.data.username}' | base64 --decode)"; \
	password="$$($(LOCAL_KUBECTL) -n $(LOCAL_NAMESPACE) get secret mongodb-root -o jsonpath='{.data.password}' | base64 --decode)"; \
	[ -n "$$user" ] && [ -n "$$password" ] || { echo "local-secrets: Secret mongodb-root has no username or password" >&2; exit 1; }; \
	[ -z "$${LOCAL_MONGODB_PASSWORD:-}" ] || [ "$$LOCAL_MONGODB_PASSWORD" = "$$password" ] || echo "local-secrets: Secret mongodb-root keeps the password the database was initialised with; LOCAL_MONGODB_PASSWORD applies to a new cluster (make local-down first)"; \
	$(LOCAL_KUBECTL) -n $(LOCAL_NAMESPACE) create secret generic greetings-api-secrets --from-literal=mongodb-uri="mongodb://$$user:$$password@mongodb.zacatl-local.svc:27017/greetings?authSource=admin" --dry-run=client -o yaml | $(LOCAL_KUBECTL) apply -f -

local-up: local-images local-cluster local-secrets
	kind load docker-image zacatl/greetings-api:dev --name $(LOCAL_CLUSTER)
	$(LOCAL_KUBECTL) apply -f dist/local/
	$(LOCAL_KUBECTL) -n $(LOCAL_NAMESPACE) rollout status deployment/greetings-api --timeout=180s
	@echo "greetings-api answers on http://127.0.0.1:8082/api/greetings (Ctrl-C stops the port-forward)"
	$(LOCAL_KUBECTL) -n $(LOCAL_NAMESPACE) port-forward service/greetings-api 8082:80

local-down:
	kind delete cluster --name $(LOCAL_CLUSTER)
