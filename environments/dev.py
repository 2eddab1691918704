"""dev: the shared development cluster. Spot nodes, one replica, debug logs."""

from zacatl_infra.config import presets

ENVIRONMENT = presets.environment(
    "dev",
    name="dev",
    account="111111111111",
    region="eu-west-1",
    availability_zones=("eu-west-1a", "eu-west-1b"),
    domain="dev.zacatl.example.com",
    cluster={"public_endpoint_cidrs": ("203.0.113.0/24",)},
    alerts={"emails": ("platform-dev@zacatl.example.com",)},
    services=(
        presets.zacatl_example_backend(
            "dev",
            image={"tag": "1.4.0"},
        ),
    ),
)
