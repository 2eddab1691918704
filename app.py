#!/usr/bin/env python3
"""One entry point for `cdk synth`/`cdk deploy`, `cdk8s synth` and plain `python app.py [ENV ...]`.

See `zacatl_infra.synth` for how the two CLIs are told apart.
"""

import sys
from pathlib import Path

from zacatl_infra.synth import main

if __name__ == "__main__":
    sys.exit(main(root=Path(__file__).resolve().parent))
