"""Settings every test shares: a private AIRFLOW_HOME, no example DAGs, and no stray connections."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

# Airflow reads its configuration when first imported, so this must happen before any test module
# imports it: a throw-away home keeps tests away from the developer's ~/airflow.
if "AIRFLOW_HOME" not in os.environ:
    os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="offcloud-tests-airflow-home-")
    atexit.register(shutil.rmtree, os.environ["AIRFLOW_HOME"], ignore_errors=True)
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
for name in [name for name in os.environ if name.startswith("AIRFLOW_CONN_OFFCLOUD")]:
    del os.environ[name]
