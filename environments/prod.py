"""prod: three zones, images pinned by digest, private API endpoint, locked backups."""

from zacatl_infra.config import presets

ENVIRONMENT = presets.environment(
    "prod",
    name="prod",
    account="333333333333",
    region="eu-west-1",
    availability_zones=("eu-west-1a", "eu-west-1b", "eu-west-1c"),
    domain="zacatl.example.com",
    # Disaster recovery: backups and images both have a copy in Frankfurt.
    backups={"replication_region": "eu-central-1"},
    registry={"replication_region": "eu-central-1"},
    # Cluster access through EKS access entries; the deploying CloudFormation role gets none.
    access={
        "admin_role_arns": ("arn:aws:iam::333333333333:role/zacatl-platform-admin",),
        "deploy_role_arns": ("arn:aws:iam::333333333333:role/zacatl-ci-deploy",),
        "viewer_role_arns": ("arn:aws:iam::333333333333:role/zacatl-developer",),
        # The endpoint is private: operators reach it through Session Manager, no inbound port.
        "session_manager_host": True,
    },
    # Route 53 public zone of `domain` (certificates are validated and records published there).
    dns={"hosted_zone_id": "Z01234567PRDZONE0003"},
    gitops={"repo_url": "https://github.com/zacatl-example/zacatl-infra.git", "revision": "main"},
    alerts={"emails": ("platform@zacatl.example.com", "oncall@zacatl.example.com")},
    services=(
        presets.zacatl_example_backend(
            "prod",
            # MongoDB Atlas over VPC peering; 192.168.248.0/21 is Atlas's default AWS peering block.
            database={"egress_cidrs": ("192.168.248.0/21",)},
            image={
                "tag": "1.4.0",
                "digest": "sha256:4f6c2a9e0d8b7c1f3e5a2d4c6b8a0f1e3d5c7b9a1f2e4d6c8b0a2f4e6d8c0b1a",
            },
        ),
    ),
)
