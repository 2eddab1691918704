"""How Node.js sizes its V8 heap, so a container's memory limit and the heap agree.

``--max-old-space-size=<MiB>`` caps the old generation. Node's CLI documentation gives the sizing
rule: on a machine with 2 GiB of memory, set it to about 1536 (1.5 GiB), leaving the rest for other
memory (code, stacks, buffers outside the heap). ``HEAP_FRACTION`` applies that ratio to the
container's memory limit, so V8 collects garbage before the kernel's OOM killer stops the container.
Source: https://nodejs.org/api/cli.html (``--max-old-space-size=SIZE``), read 2026-11-29.
"""

from __future__ import annotations

from datetime import date

from .source import Source

HEAP_FLAG = "--max-old-space-size"
#: Heap share of the container memory limit (1536 MiB of 2048 MiB in Node's own example).
HEAP_FRACTION = 0.75
#: The variable Node reads its flags from at start-up.
OPTIONS_VARIABLE = "NODE_OPTIONS"
SOURCE = Source("https://nodejs.org/api/cli.html#--max-old-space-sizesize-in-mib", date(2026, 11, 29))
