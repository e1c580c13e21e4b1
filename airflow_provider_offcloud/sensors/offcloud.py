"""Sensors that wait for an Offcloud cloud or remote item, by request id, on a worker or in the triggerer."""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING, Any

from airflow.providers.common.compat.sdk import (
    AirflowSensorTimeout,
    AirflowSkipException,
    BaseSensorOperator,
    PokeReturnValue,
    conf,
)

from airflow_provider_offcloud.exceptions import (
    OffcloudBadInputError,
    OffcloudError,
    OffcloudPermanentError,
    OffcloudRouteMissingError,
    OffcloudStuckError,
)
from airflow_provider_offcloud.links import REQUEST_ID_XCOM_KEY, OffcloudItemLink
from airflow_provider_offcloud.status import OffcloudStatus
from airflow_provider_offcloud.waiting import (
    DEFAULT_MAX_POLL_INTERVAL,
    DEFAULT_POLL_INTERVAL,
    MAX_SECONDS,
    ItemKind,
    ProgressTracker,
    describe_progress,
    optional_seconds,
    positive_seconds,
    raise_for_failed_item,
    read_item,
)

if TYPE_CHECKING:
    from airflow.providers.common.compat.sdk import Context

    from airflow_provider_offcloud.hooks.offcloud import OffcloudHook
    from airflow_provider_offcloud.normalize import OffcloudItem


class _OffcloudDownloadSensor(BaseSensorOperator):
    """
    Wait until an Offcloud item is downloaded: the shared logic of the cloud and remote sensors.

    Each poke reads the item's status and logs its progress (percent, bytes, speed). A ``downloaded`` item
    ends the wait and its normalised status becomes the task's return value (XCom). An item in ``error``
    or ``canceled`` fails the task at once with Offcloud's own message
    (:class:`~airflow_provider_offcloud.exceptions.OffcloudDownloadFailedError`), without waiting out the
    timeout; so do refused credentials and a plan without the needed add-on. An item that stays
    ``created`` or ``queued`` without progress for ``stuck_after`` seconds fails (retryably) with
    :class:`~airflow_provider_offcloud.exceptions.OffcloudStuckError`. Transient faults are retried by the
    hook and then count as "not yet".

    With ``deferrable=True`` the sensor reads the item once and, unless it has finished, defers to
    :class:`~airflow_provider_offcloud.triggers.offcloud.OffcloudDownloadTrigger` with the sensor's
    ``timeout``, so a timeout in the triggerer is a real sensor timeout (``AirflowSensorTimeout``, or a
    skip with ``soft_fail``).

    Known limitation: in ``reschedule`` mode each poke starts with a fresh progress record, so the stuck
    clock relies on the item's ``createdOn`` (an item that never showed progress has been waiting since
    it was created); an item that made some progress and then stalled is only caught in ``poke`` mode
    or when deferred.

    :param request_id: The Offcloud ``requestId`` to wait for (templated).
    :param offcloud_conn_id: The Airflow connection.
    :param deferrable: Wait in the triggerer; defaults to ``[operators] default_deferrable``.
    :param stuck_after: Seconds without progress in ``created``/``queued`` after which the item is
        reported stuck (seconds or timedelta); ``None`` never.
    :param max_poll_interval: Longest pause between reads in the triggerer, reached while the item is
        queued; the shortest is ``poke_interval``.
    """

    template_fields = ("request_id",)
    operator_extra_links = (OffcloudItemLink(),)
    item_kind: ItemKind = "cloud"

    def __init__(
        self,
        *,
        request_id: str,
        offcloud_conn_id: str = "offcloud_default",
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        stuck_after: float | dt.timedelta | None = None,
        max_poll_interval: float = DEFAULT_MAX_POLL_INTERVAL,
        **kwargs: Any,
    ) -> None:
        try:
            super().__init__(**kwargs)
        except OverflowError:
            # Airflow turns timeout and poke_interval into timedeltas, which cannot hold every number.
            durations = {name: kwargs[name] for name in ("timeout", "poke_interval") if name in kwargs}
            raise OffcloudBadInputError(
                f"{durations} is too long for Airflow to schedule: give at most {MAX_SECONDS:.0f} seconds."
            ) from None
        self.request_id = request_id
        self.offcloud_conn_id = offcloud_conn_id
        self.deferrable = deferrable
        self.stuck_after = optional_seconds(stuck_after, "stuck_after")
        # Checked here rather than when deferring, where a timeout too long for a timedelta would fail.
        optional_seconds(self.timeout, "timeout")
        # Airflow allows poke_interval=0; the triggerer's poll loop needs a real pause.
        self.trigger_poll_interval = positive_seconds(
            self.poke_interval or DEFAULT_POLL_INTERVAL, "poke_interval"
        )
        self.max_poll_interval = max(
            positive_seconds(max_poll_interval, "max_poll_interval"), self.trigger_poll_interval
        )
        self._tracker: ProgressTracker | None = None
        self._hook: OffcloudHook | None = None

    @property
    def hook(self) -> OffcloudHook:
        """The hook of the connection, made on first use."""
        if self._hook is None:
            from airflow_provider_offcloud.hooks.offcloud import OffcloudHook

            self._hook = OffcloudHook(self.offcloud_conn_id)
        return self._hook

    def execute(self, context: Context) -> Any:
        """Push the request id (for the extra link), then poke here or defer to the triggerer."""
        context["ti"].xcom_push(key=REQUEST_ID_XCOM_KEY, value=self.request_id)
        if not self.deferrable:
            return super().execute(context)

        try:
            done = self.poke(context)
        except (OffcloudPermanentError, OffcloudRouteMissingError) as refusal:
            self._fail_or_skip(refusal)
        if done:
            return done.xcom_value if isinstance(done, PokeReturnValue) else None

        from airflow_provider_offcloud.triggers.offcloud import OffcloudDownloadTrigger

        now = time.time()
        started = self._tracker.waiting_since if self._tracker is not None else now
        self.defer(
            trigger=OffcloudDownloadTrigger(
                offcloud_conn_id=self.offcloud_conn_id,
                request_id=self.request_id,
                kind=self.item_kind,
                deadline=now + self.timeout,
                poll_interval=self.trigger_poll_interval,
                max_poll_interval=self.max_poll_interval,
                stuck_after=self.stuck_after,
                waiting_since=started,
            ),
            method_name="execute_complete",
            timeout=dt.timedelta(seconds=self.timeout),
        )

    def poke(self, context: Context) -> bool | PokeReturnValue:
        """Read the item once, log its progress, and tell whether it is downloaded."""
        try:
            item = read_item(self.hook, self.item_kind, self.request_id)
        except (OffcloudPermanentError, OffcloudRouteMissingError):
            raise
        except OffcloudError as fault:
            self.log.warning(
                "Could not read Offcloud %s item %s (%s); not yet.", self.item_kind, self.request_id, fault
            )
            return False

        self.log.info("Offcloud %s item %s: %s", self.item_kind, self.request_id, describe_progress(item))
        if OffcloudStatus.parse(item["status"]).is_success:
            return PokeReturnValue(is_done=True, xcom_value=dict(item))
        raise_for_failed_item(item)

        now = time.time()
        if self._tracker is None:
            self._tracker = ProgressTracker(stuck_after=self.stuck_after, waiting_since=now)
        if self._tracker.observe(item, now):
            raise OffcloudStuckError(self._tracker.stuck_message(self.item_kind, item, now))
        return False

    def execute_complete(self, context: Context, event: dict[str, Any]) -> OffcloudItem:
        """
        Resume after the trigger: return the downloaded item of an explicit success, raise otherwise.

        :param context: The task context.
        :param event: The trigger's event.
        """
        from airflow_provider_offcloud.triggers.events import item_from_event

        item = item_from_event(event, on_timeout=AirflowSensorTimeout)
        self.log.info("Offcloud %s item %s: %s", self.item_kind, self.request_id, describe_progress(item))
        return item

    def _fail_or_skip(self, error: BaseException) -> None:
        if self.soft_fail:
            raise AirflowSkipException(f"Skipping due to soft_fail: {error}") from error
        raise error


class OffcloudCloudDownloadSensor(_OffcloudDownloadSensor):
    """
    Wait until a cloud item is downloaded; its normalised status is the return value (XCom).

    .. seealso::
        The how-to guide :doc:`/howto/cloud_download_sensor`, with a runnable example.

    :param request_id: The Offcloud ``requestId`` to wait for (templated).
    :param offcloud_conn_id: The Airflow connection.
    :param deferrable: Wait in the triggerer; defaults to ``[operators] default_deferrable``.
    :param stuck_after: Seconds without progress in ``created``/``queued`` before the item counts as stuck.
    :param max_poll_interval: Longest pause between reads in the triggerer.
    """

    item_kind: ItemKind = "cloud"


class OffcloudRemoteDownloadSensor(_OffcloudDownloadSensor):
    """
    Wait until a remote item is delivered; its normalised status is the return value (XCom).

    .. seealso::
        The how-to guide :doc:`/howto/remote_download_sensor`, with a runnable example.

    :param request_id: The Offcloud ``requestId`` to wait for (templated).
    :param offcloud_conn_id: The Airflow connection.
    :param deferrable: Wait in the triggerer; defaults to ``[operators] default_deferrable``.
    :param stuck_after: Seconds without progress in ``created``/``queued`` before the item counts as stuck.
    :param max_poll_interval: Longest pause between reads in the triggerer.
    """

    item_kind: ItemKind = "remote"
