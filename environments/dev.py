"""dev: the shared development cluster. Spot nodes, one replica, debug logs."""

from zacatl_infra.config import presets

ENVIRONMENT = presets.environment(
    "dev",
    name="dev",
    account="111111111111",
    region="eu-west-1",
    availability_zones=("eu-west-1a", "eu-west-1b"),
    domain="dev.zacatl.example.com",
    # 203.0.113.0/24 is a documentation range (RFC 5737): replace it with your office or VPN ranges.
    cluster={"public_endpoint_cidrs": ("203.0.113.0/24",)},
    # Cluster access through EKS access entries; the deploying CloudFormation role gets none.
    access={
        "admin_role_arns": ("arn:aws:iam::111111111111:role/zacatl-platform-admin",),
        "deploy_role_arns": ("arn:aws:iam::111111111111:role/zacatl-ci-deploy",),
        "viewer_role_arns": ("arn:aws:iam::111111111111:role/zacatl-developer",),
    },
    # Route 53 public zone of `domain` (certificates are validated and records published there).
    dns={"hosted_zone_id": "Z01234567DEVZONE0001"},
    gitops={"repo_url": "https://github.com/zacatl-example/zacatl-infra.git", "revision": "main"},
    alerts={"emails": ("platform-dev@zacatl.example.com",)},
    services=(
        presets.zacatl_example_backend(
            "dev",
            image={"tag": "1.4.0"},
        ),
    ),
)
