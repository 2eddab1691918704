#!/usr/bin/env python3
"""Both layers of the two-services example: `python app.py`, `cdk synth`, `cdk8s synth`."""

import sys
from pathlib import Path

from services import TwoServices

from zacatl_infra.synth import main

if __name__ == "__main__":
    sys.exit(main(root=Path(__file__).resolve().parent, service_class=TwoServices))
