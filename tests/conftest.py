"""Settings every test shares: a private AIRFLOW_HOME, no example DAGs, and no stray connections."""

from __future__ import annotations

import os
import tempfile

# Airflow reads its configuration when first imported, so this must happen before any test module
# imports it: a throw-away home keeps tests away from the developer's ~/airflow.
os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="offcloud-tests-airflow-home-"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
for name in [name for name in os.environ if name.startswith("AIRFLOW_CONN_OFFCLOUD")]:
    del os.environ[name]
