"""Every example DAG parses cleanly and wires the provider's tasks the way its documentation says."""

from __future__ import annotations

from pathlib import Path

import pytest

try:
    from airflow.dag_processing.dagbag import DagBag
except ImportError:  # Airflow before 3.1
    from airflow.models.dagbag import DagBag  # type: ignore[no-redef]

EXAMPLE_DAGS = Path(__file__).resolve().parents[2] / "example_dags"


@pytest.fixture(scope="module")
def dags():
    bag = DagBag(dag_folder=str(EXAMPLE_DAGS), safe_mode=False)
    assert bag.import_errors == {}
    return bag.dags


def test_every_example_dag_is_found(dags):
    assert set(dags) == {
        "offcloud_cloud_ingest",
        "offcloud_instant_download",
        "offcloud_process_ingested",
        "offcloud_recurring_ingest",
        "offcloud_remote_download",
    }


def test_cloud_ingest_waits_in_the_triggerer_between_submit_and_landing(dags):
    dag = dags["offcloud_cloud_ingest"]

    wait = dag.get_task("wait_for_download")
    assert wait.deferrable is True
    assert [task.task_id for task in wait.upstream_list] == ["submit"]
    assert dag.get_task("submit").wait_for_completion is False
    assert [task.task_id for task in dag.get_task("land").upstream_list] == ["wait_for_download"]
    assert [task.task_id for task in dag.get_task("land").downstream_list] == ["check_landed_files"]


def test_recurring_ingest_maps_downloads_and_feeds_the_asset_the_second_dag_waits_for(dags):
    ingest, process = dags["offcloud_recurring_ingest"], dags["offcloud_process_ingested"]

    assert type(ingest.get_task("download")).__name__ == "MappedOperator"
    (outlet,) = ingest.get_task("land").outlets
    assert outlet in process.timetable.asset_condition.objects


def test_remote_download_waits_with_the_remote_sensor(dags):
    dag = dags["offcloud_remote_download"]

    assert type(dag.get_task("wait_for_delivery")).__name__ == "OffcloudRemoteDownloadSensor"
    assert dag.get_task("wait_for_delivery").deferrable is True


@pytest.mark.parametrize(
    "dag_id", ["offcloud_cloud_ingest", "offcloud_instant_download", "offcloud_remote_download"]
)
def test_on_demand_examples_have_no_schedule(dags, dag_id):
    assert type(dags[dag_id].timetable).__name__ == "NullTimetable"
