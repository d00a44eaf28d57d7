"""The environment the test suite runs in, set before Django reads its settings (a pytest
plugin, registered with `-p` in pyproject's addopts: a conftest.py is imported too late).

The suite runs the production settings (KEHOU_DEBUG unset) with a secret key for tests
only. The demo stays on (KEHOU_DEMO=1) because many tests build the demo city and log in
with its password; the production refusals are tested with settings.DEMO_MODE off
(kehou/core/tests/test_production.py).
"""

import os

os.environ.setdefault("KEHOU_SECRET_KEY", "test-only-secret-key-never-used-by-a-server")
os.environ.setdefault("KEHOU_DEMO", "1")
