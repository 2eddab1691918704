"""local: a laptop cluster (kind or k3d). No AWS layer; the Secret is created by hand (see docs)."""

from zacatl_infra.config import presets

ENVIRONMENT = presets.environment(
    "local",
    name="local",
    domain="zacatl.localtest.me",
    services=(
        presets.zacatl_example_backend(
            "local",
            image={"tag": "dev"},
        ),
    ),
)
