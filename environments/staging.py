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
    # MongoDB Atlas through PrivateLink: the endpoint service Atlas shows for the project's eu-west-1 endpoint.
    database={"kind": "atlas", "atlas": {"endpoint_service_name": "com.amazonaws.vpce.eu-west-1.vpce-svc-0f1e2d3c4b5a69788"}},
    services=(
        presets.zacatl_example_backend(
            "staging",
            image={"tag": "1.4.0"},
        ),
    ),
)
