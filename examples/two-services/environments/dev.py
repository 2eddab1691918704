"""dev: team greetings in the platform's dev environment (its account, region, zones and domain)."""

from zacatl_infra.config import presets

ENVIRONMENT = presets.environment(
    "dev",
    name="dev",
    team="greetings",
    account="111111111111",
    region="eu-west-1",
    availability_zones=("eu-west-1a", "eu-west-1b"),
    domain="dev.zacatl.example.com",
    # The platform's settings, as in its environments/dev.py (the team's certificate is validated in
    # that zone; access and gitops are applied by the platform's stack).
    access={"admin_role_arns": ("arn:aws:iam::111111111111:role/zacatl-platform-admin",)},
    dns={"hosted_zone_id": "Z01234567DEVZONE0001"},
    gitops={"repo_url": "https://github.com/zacatl-example/zacatl-infra.git"},
    services=(
        # Public: the ALB routes every path to it; it calls the backend inside the cluster.
        presets.service(
            "dev",
            name="gateway",
            image={"tag": "1.0.0"},
            container_port=3000,
            health={"readiness_path": "/ready"},
            env={"GREETINGS_URL": "http://greetings-api"},
            # One declaration opens both policies: the gateway's egress and greetings-api's ingress.
            upstreams=({"name": "greetings-api"},),
        ),
        # Internal: no ingress; only the gateway reaches it.
        presets.service(
            "dev",
            name="greetings-api",
            image={"tag": "1.4.0"},
            health={"readiness_path": "/ready"},
            ingress_path=None,
            secrets=({"env_var": "GREETING_SIGNING_KEY", "key": "signing-key"},),
        ),
    ),
)
