"""Hypothesis settings: random exploration on a developer's machine, a fixed sequence of examples in CI.

CI sets ``CI=true``; there, ``derandomize`` makes every run draw the same examples, so a green main stays green
(a failure found locally is replayed from ``.hypothesis/`` and then becomes an explicit ``@example``).
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")
