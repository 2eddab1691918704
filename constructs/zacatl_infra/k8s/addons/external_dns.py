"""external-dns: publishes each Ingress host as a Route 53 record in the environment's hosted zone.

Limited three ways: ``domainFilters`` (the environment's domain), ``--zone-id-filter`` (the zone id from
config) and the IAM role (changes to that one zone only). TXT ownership records carry
``naming.txt_owner_id``, so it never touches records another cluster or a person made.
"""

from __future__ import annotations

from ... import naming
from ...config import EnvironmentConfig
from .addon import AddOn


def addon(env: EnvironmentConfig) -> AddOn:
    """Chart ``external-dns`` (kubernetes-sigs) in namespace ``external-dns``, provider aws, sources ingress."""
    namespace, account = naming.EXTERNAL_DNS_SERVICE_ACCOUNT
    return AddOn(
        name="external-dns", chart_key="external-dns", namespace=namespace,
        service_account=naming.EXTERNAL_DNS_SERVICE_ACCOUNT,
        values={
            "provider": {"name": "aws"},
            "sources": ["ingress"],
            # sync deletes records of removed Ingresses; the TXT owner id keeps it to its own records.
            "policy": "sync",
            "registry": "txt",
            "txtOwnerId": naming.txt_owner_id(env),
            "domainFilters": [env.domain],
            "extraArgs": [f"--zone-id-filter={env.dns.hosted_zone_id}", "--aws-zone-type=public"],
            "env": [{"name": "AWS_DEFAULT_REGION", "value": env.region}],
            "serviceAccount": {"create": True, "name": account},
        },
    )
