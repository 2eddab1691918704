"""What the workload layer assumes about the cluster it runs in, named once.

Network policies, ingresses and the namespace's Pod Security labels refer to these; a cluster that
installs an add-on elsewhere changes it here (or in a subclass of the construct that uses it).
"""

from __future__ import annotations

from .. import naming

#: Namespace of the Prometheus stack (kube-prometheus-stack); it scrapes every service's port. Named in
#: ``naming`` because the cloud layer binds Alertmanager's role to a ServiceAccount there.
MONITORING_NAMESPACE = naming.MONITORING_NAMESPACE
#: Namespace of ingress-nginx on laptop clusters (kind / k3d), the ingress controller of `local`.
INGRESS_NGINX_NAMESPACE = "ingress-nginx"
#: Cluster DNS: CoreDNS runs in kube-system with the historical `k8s-app: kube-dns` label on EKS,
#: kind and k3d alike.
DNS_NAMESPACE = "kube-system"
DNS_POD_LABELS = {"k8s-app": "kube-dns"}
DNS_PORT = 53

#: IngressClass names: the AWS Load Balancer Controller in cloud tiers, ingress-nginx on laptops.
ALB_INGRESS_CLASS = "alb"
NGINX_INGRESS_CLASS = "nginx"
#: TLS 1.3 with 1.2 fallback, the AWS-recommended policy for internet-facing ALBs.
ALB_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"

#: Pod Security Standard every environment's namespace enforces, audits and warns about.
POD_SECURITY_LEVEL = "restricted"
