"""staging: production's rehearsal. Same shape as prod at a smaller scale."""

from zacatl_infra.config import presets

ENVIRONMENT = presets.environment(
    "staging",
    name="staging",
    account="222222222222",
    region="eu-west-1",
    availability_zones=("eu-west-1a", "eu-west-1b", "eu-west-1c"),
    domain="staging.zacatl.example.com",
    cluster={"public_endpoint_cidrs": ("203.0.113.0/24",)},
    alerts={"emails": ("platform@zacatl.example.com",)},
    services=(
        presets.zacatl_example_backend(
            "staging",
            # MongoDB Atlas over VPC peering; 192.168.248.0/21 is Atlas's default AWS peering block.
            database={"egress_cidrs": ("192.168.248.0/21",)},
            image={"tag": "1.4.0"},
        ),
    ),
)
