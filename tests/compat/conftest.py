"""Third-party clients against the emulator. These tests run in their own venv (the clients'
pins conflict with [dev]): `bash .ci/compat` creates it and runs them; the main run does not
collect this folder (tests/conftest.py)."""

from __future__ import annotations

import os

# litellm reads its model price map from the network at import unless told to use its copy
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
