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
    # The replica key's ARN is the ReplicaKeyArn output of the DR stack zacatl-prod-dr (deployed first).
    backups={"replication_region": "eu-central-1",
             "replica_key_arn": "arn:aws:kms:eu-central-1:333333333333:key/7a0f3c1e-5b2d-4e8a-9c6f-0d1e2f3a4b5c"},
    # MongoDB Atlas through PrivateLink: the endpoint service Atlas shows for the project's eu-west-1 endpoint.
    database={"kind": "atlas", "atlas": {"endpoint_service_name": "com.amazonaws.vpce.eu-west-1.vpce-svc-0a1b2c3d4e5f60718"}},
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
            image={
                "tag": "1.4.0",
                "digest": "sha256:4f6c2a9e0d8b7c1f3e5a2d4c6b8a0f1e3d5c7b9a1f2e4d6c8b0a2f4e6d8c0b1a",
            },
        ),
    ),
)
