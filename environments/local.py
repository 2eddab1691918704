"""local: a laptop cluster (kind or k3d). No AWS layer; the Secret is created by hand (see docs)."""

from zacatl_infra.config import presets

ENVIRONMENT = presets.environment(
    "local",
    name="local",
    domain="zacatl.localtest.me",
    services=(
        presets.zacatl_example_backend(
            "local",
            # MongoDB runs in the laptop cluster; 10.244.0.0/16 is kind's pod network.
            database={"egress_cidrs": ("10.244.0.0/16",)},
            image={"tag": "dev"},
        ),
    ),
)
