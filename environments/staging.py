"""staging: production's rehearsal. Same shape as prod at a smaller scale."""

from zacatl_infra.config import presets

ENVIRONMENT = presets.environment(
    "staging",
    name="staging",
    account="222222222222",
    region="eu-west-1",
    availability_zones=("eu-west-1a", "eu-west-1b", "eu-west-1c"),
    domain="staging.zacatl.example.com",
    # 203.0.113.0/24 is a documentation range (RFC 5737): replace it with your office or VPN ranges.
    cluster={"public_endpoint_cidrs": ("203.0.113.0/24",)},
    # Cluster access through EKS access entries; the deploying CloudFormation role gets none.
    access={
        "admin_role_arns": ("arn:aws:iam::222222222222:role/zacatl-platform-admin",),
        "deploy_role_arns": ("arn:aws:iam::222222222222:role/zacatl-ci-deploy",),
        "viewer_role_arns": ("arn:aws:iam::222222222222:role/zacatl-developer",),
    },
    # Route 53 public zone of `domain` (certificates are validated and records published there).
    dns={"hosted_zone_id": "Z01234567STGZONE0002"},
    gitops={"repo_url": "https://github.com/zacatl-example/zacatl-infra.git", "revision": "main"},
    alerts={"emails": ("platform@zacatl.example.com",)},
    # MongoDB Atlas through PrivateLink: the endpoint service Atlas shows for the project's eu-west-1 endpoint.
    database={"kind": "atlas", "atlas": {"endpoint_service_name": "com.amazonaws.vpce.eu-west-1.vpce-svc-0f1e2d3c4b5a69788"}},
    services=(
        presets.zacatl_example_backend(
            "staging",
            image={"tag": "1.4.0"},
        ),
    ),
)
