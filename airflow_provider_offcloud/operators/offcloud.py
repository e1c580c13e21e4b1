"""Operators that submit links to Offcloud (instant, cloud, remote) and, when asked, wait for the result."""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from airflow.providers.common.compat.sdk import BaseOperator, ResumableJobMixin, conf

from airflow_provider_offcloud.exceptions import (
    OffcloudBadInputError,
    OffcloudError,
    OffcloudRequestRejectedError,
    OffcloudRouteMissingError,
)
from airflow_provider_offcloud.links import REQUEST_ID_XCOM_KEY, OffcloudItemLink
from airflow_provider_offcloud.status import OffcloudStatus
from airflow_provider_offcloud.waiting import (
    DEFAULT_MAX_POLL_INTERVAL,
    DEFAULT_POLL_INTERVAL,
    ItemKind,
    optional_seconds,
    positive_seconds,
    raise_for_failed_item,
    read_item,
    wait_for_item,
)

if TYPE_CHECKING:
    from airflow.providers.common.compat.sdk import Context

    from airflow_provider_offcloud.hooks.offcloud import OffcloudHook
    from airflow_provider_offcloud.normalize import OffcloudItem, OffcloudRemoteAccount

#: How long a waiting operator waits by default: large torrents can take hours, not days.
DEFAULT_TIMEOUT_SECONDS = 24 * 3600.0

#: ``status`` given to an item Offcloud no longer knows, so that a retry submits the link again.
MISSING_STATUS = "missing"


def _declare_item_link(context: Context) -> None:
    """
    Give the extra link's XCom a value (none yet) before anything can fail.

    Airflow computes extra links when a task ends; looking up an XCom that was never pushed logs an error
    ("XCom not found") after the task's real error, which misleads whoever reads the log.
    """
    context["ti"].xcom_push(key=REQUEST_ID_XCOM_KEY, value=None)


def _make_hook(conn_id: str) -> OffcloudHook:
    # Imported here: this module is read at every DAG parse and the hook brings ``requests`` with it.
    from airflow_provider_offcloud.hooks.offcloud import OffcloudHook

    return OffcloudHook(conn_id)


class OffcloudInstantDownloadOperator(BaseOperator):
    """
    Ask Offcloud for a direct download link of a file-host link, without storing the file in the cloud.

    .. seealso::
        The how-to guide :doc:`/howto/instant_download_operator`, with a runnable example.

    Returns the normalised item (``requestId``, ``fileName``, ``url`` = the direct link, size...) as XCom
    and pushes the ``requestId`` under the key ``request_id``.

    :param url: The file-host link (templated).
    :param proxy_id: A proxy to fetch through, from ``OffcloudHook.list_proxies()`` (templated).
    :param offcloud_conn_id: The Airflow connection.
    """

    template_fields = ("url", "proxy_id")
    operator_extra_links = (OffcloudItemLink(),)
    item_kind = "instant"
    ui_color = "#dff3ff"

    def __init__(
        self,
        *,
        url: str,
        proxy_id: str | None = None,
        offcloud_conn_id: str = "offcloud_default",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.url = url
        self.proxy_id = proxy_id
        self.offcloud_conn_id = offcloud_conn_id

    def execute(self, context: Context) -> OffcloudItem:
        """Submit the link and return the instant item with its direct link."""
        _declare_item_link(context)
        item = _make_hook(self.offcloud_conn_id).instant_download(self.url, self.proxy_id)
        context["ti"].xcom_push(key=REQUEST_ID_XCOM_KEY, value=item["requestId"])
        # The direct link itself may carry an account token: it goes to XCom, not to the log.
        host = urlsplit(item["url"] or "").hostname or "no link"
        self.log.info("Offcloud instant item %s is ready; direct link on %s.", item["requestId"], host)
        return item


class _OffcloudSubmitAndWaitOperator(ResumableJobMixin, BaseOperator):
    """
    Submit one link and wait for its item: the shared logic of the cloud and remote operators.

    A retried or restarted task does not submit the same link twice:

    * Synchronous waits go through Airflow's resumable-job support: the request id is written to the
      task state store right after submission, and a later try reconnects to that item (or returns it
      at once when it is already downloaded); only an item that failed, or that Offcloud no longer knows,
      is submitted again.
    * Deferrable waits write the request id to the same store (``context["task_state_store"]``) before
      deferring, and read it back the same way on a later try.
    * Where there is no task state store (Airflow before 3.3), a later try of a cloud download first looks
      for the link in the account's cloud history and reuses an item that has not failed; Offcloud itself
      also answers a repeated cloud submission of a link it holds with the same request id.

    Known limitation: the request id is stored just after Offcloud answers the submission; a worker that
    dies in between leaves nothing stored, and the next try submits again (for cloud downloads Offcloud
    then returns the existing item). Remote downloads have no history to look in, so before Airflow 3.3 a
    retried remote download may submit the link again.
    """

    operator_extra_links = (OffcloudItemLink(),)
    external_id_key = "offcloud_request_id"
    item_kind: ItemKind = "cloud"

    def __init__(
        self,
        *,
        url: str,
        offcloud_conn_id: str = "offcloud_default",
        wait_for_completion: bool = True,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_poll_interval: float = DEFAULT_MAX_POLL_INTERVAL,
        timeout: float | dt.timedelta | None = DEFAULT_TIMEOUT_SECONDS,
        stuck_after: float | dt.timedelta | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.url = url
        self.offcloud_conn_id = offcloud_conn_id
        self.wait_for_completion = wait_for_completion
        self.deferrable = deferrable
        self.poll_interval = positive_seconds(poll_interval, "poll_interval")
        self.max_poll_interval = max(
            positive_seconds(max_poll_interval, "max_poll_interval"), self.poll_interval
        )
        self.timeout = optional_seconds(timeout, "timeout")
        self.stuck_after = optional_seconds(stuck_after, "stuck_after")
        self._submitted: OffcloudItem | None = None
        self._final: OffcloudItem | None = None
        self._hook: OffcloudHook | None = None

    @property
    def hook(self) -> OffcloudHook:
        """The hook of the connection, made on first use."""
        if self._hook is None:
            self._hook = _make_hook(self.offcloud_conn_id)
        return self._hook

    # -- what each kind of download does -------------------------------------------------------------

    def submit(self, hook: OffcloudHook) -> OffcloudItem:
        """
        Submit the link; the one non-idempotent step.

        :param hook: The hook of the connection.
        """
        raise NotImplementedError

    def find_previous_submission(self, context: Context) -> OffcloudItem | None:
        """
        Find an item an earlier try created, where no task state store remembers it.

        :param context: The task context.
        """
        return None

    def build_result(self, item: OffcloudItem) -> dict[str, Any]:
        """
        Turn the downloaded item into the task's XCom result.

        :param item: The downloaded item.
        """
        return dict(item)

    # -- execution -------------------------------------------------------------------------------------

    def execute(self, context: Context) -> Any:
        """Submit the link (once across tries) and wait in the way the task was configured to."""
        _declare_item_link(context)
        if self.deferrable and self.wait_for_completion:
            return self._execute_deferrable(context)
        return self.execute_resumable(context)

    def execute_complete(self, context: Context, event: dict[str, Any]) -> dict[str, Any]:
        """
        Resume after the trigger: return the result of an explicit success, raise for anything else.

        :param context: The task context.
        :param event: The trigger's event.
        """
        from airflow_provider_offcloud.triggers.events import item_from_event

        item = item_from_event(event, on_timeout=self._timeout_error)
        self._push_request_id(context, item["requestId"])
        return self.build_result(item)

    def _timeout_error(self, message: str) -> BaseException:
        return OffcloudError(
            f"{message} Retry the task to wait again (it does not submit the link again), or raise the "
            "operator's timeout."
        )

    def _execute_deferrable(self, context: Context) -> Any:
        store = context.get("task_state_store")
        item = self._resume_from_store(store) if store is not None else self.find_previous_submission(context)
        if item is None:
            item = self._submit_and_log()
            if store is not None:
                store.set(self.external_id_key, item["requestId"])
        request_id = item["requestId"]
        self._push_request_id(context, request_id)

        status = OffcloudStatus.parse(item["status"])
        if status.is_success:
            self.log.info("Offcloud %s item %s is already downloaded.", self.item_kind, request_id)
            return self.build_result(item)
        raise_for_failed_item(item)

        from airflow_provider_offcloud.triggers.offcloud import OffcloudDownloadTrigger

        now = time.time()
        self.defer(
            trigger=OffcloudDownloadTrigger(
                offcloud_conn_id=self.offcloud_conn_id,
                request_id=request_id,
                kind=self.item_kind,
                deadline=None if self.timeout is None else now + self.timeout,
                poll_interval=self.poll_interval,
                max_poll_interval=self.max_poll_interval,
                stuck_after=self.stuck_after,
                waiting_since=now,
            ),
            method_name="execute_complete",
            timeout=None if self.timeout is None else dt.timedelta(seconds=self.timeout),
        )

    def _resume_from_store(self, store: Any) -> OffcloudItem | None:
        """Return the item a previous try stored, unless it failed or Offcloud no longer knows it."""
        stored = store.get(self.external_id_key)
        if not stored:
            return None
        try:
            item = read_item(self.hook, self.item_kind, str(stored))
        except OffcloudRequestRejectedError as refusal:
            self.log.warning("Offcloud no longer knows item %s (%s); submitting again.", stored, refusal)
            return None
        if OffcloudStatus.parse(item["status"]).is_failure:
            self.log.warning(
                "The item %s of an earlier try ended %r; submitting again.", stored, item["status"]
            )
            return None
        self.log.info("Resuming Offcloud %s item %s from an earlier try.", self.item_kind, stored)
        return item

    def _submit_and_log(self) -> OffcloudItem:
        item = self.submit(self.hook)
        self.log.info(
            "Submitted to Offcloud (%s): request id %s, status %s.",
            self.item_kind,
            item["requestId"],
            item["status"],
        )
        return item

    def _push_request_id(self, context: Context, request_id: str) -> None:
        context["ti"].xcom_push(key=REQUEST_ID_XCOM_KEY, value=request_id)

    # -- ResumableJobMixin ---------------------------------------------------------------------------

    def submit_job(self, context: Context) -> str:
        """Submit the link, or reuse the item of an earlier try when no task state store remembers it."""
        previous = None
        if context.get("task_state_store") is None:
            previous = self.find_previous_submission(context)
        item = previous or self._submit_and_log()
        self._submitted = item
        self._push_request_id(context, item["requestId"])
        return item["requestId"]

    def get_job_status(self, external_id: Any, context: Context) -> str:
        """Read the status of the item an earlier try submitted; ``missing`` when Offcloud forgot it."""
        try:
            return read_item(self.hook, self.item_kind, str(external_id))["status"]
        except OffcloudRequestRejectedError:
            return MISSING_STATUS

    def is_job_active(self, status: str) -> bool:
        """Whether the earlier item is still on its way."""
        return status != MISSING_STATUS and not OffcloudStatus.parse(status).is_terminal

    def is_job_succeeded(self, status: str) -> bool:
        """Whether the earlier item is downloaded."""
        return status != MISSING_STATUS and OffcloudStatus.parse(status).is_success

    def poll_until_complete(self, external_id: Any, context: Context) -> dict[str, Any]:  # type: ignore[override]
        """
        Wait on the worker until the item is downloaded (when asked to wait) and return the result.

        When it reconnects to the item of an earlier try, the SDK's ``execute_resumable`` returns this
        method's value as the task's result, so it is the same result :meth:`get_job_result` gives.
        """
        request_id = str(external_id)
        self._push_request_id(context, request_id)
        if not self.wait_for_completion:
            item = self._submitted or read_item(self.hook, self.item_kind, request_id)
            raise_for_failed_item(item)
            self._final = item
            return dict(item)
        self._final = wait_for_item(
            self.hook,
            self.item_kind,
            request_id,
            poll_interval=self.poll_interval,
            max_poll_interval=self.max_poll_interval,
            timeout=self.timeout,
            stuck_after=self.stuck_after,
            log=self.log,
        )
        return self.build_result(self._final)

    def get_job_result(self, external_id: Any, context: Context) -> dict[str, Any]:
        """Return the task's result for the item."""
        request_id = str(external_id)
        self._push_request_id(context, request_id)
        item = self._final or read_item(self.hook, self.item_kind, request_id)
        if not self.wait_for_completion:
            return dict(item)
        return self.build_result(item)


class OffcloudCloudDownloadOperator(_OffcloudSubmitAndWaitOperator):
    """
    Submit a link, torrent or magnet to the account's Offcloud cloud and, when asked, wait until it is there.

    .. seealso::
        The how-to guide :doc:`/howto/cloud_download_operator`, with a runnable example.

    The result (XCom) is the normalised item (``requestId``, ``fileName``, ``status``, ``url``, ``server``,
    ``fileSize``...) plus ``files``: the name, path, size and link of each file of the item. With
    ``wait_for_completion=False`` it is the item as submitted, without ``files``. The ``requestId`` is
    pushed under the key ``request_id`` as soon as it is known, before any wait.

    With ``deferrable=True`` the link is submitted on the worker, then the task defers to
    :class:`~airflow_provider_offcloud.triggers.offcloud.OffcloudDownloadTrigger` and holds no worker slot
    while Offcloud works. Items already in Offcloud's cache finish at once, without deferring.

    :param url: The http(s) link or magnet (templated).
    :param offcloud_conn_id: The Airflow connection.
    :param wait_for_completion: Wait until the item is downloaded; otherwise return the submitted item.
    :param deferrable: Wait in the triggerer; defaults to ``[operators] default_deferrable``.
    :param poll_interval: First and shortest pause between status reads, in seconds.
    :param max_poll_interval: Longest pause, reached while the item stays queued, in seconds.
    :param timeout: Longest wait (seconds or timedelta; ``None`` for no limit). The item keeps going on
        Offcloud after a timeout; a retry of the task waits for it again.
    :param stuck_after: Fail (retryably) when the item stays created/queued without progress this long.
    :param durable: Remember the request id across tries (Airflow 3.3+); see the class notes.
    """

    template_fields = ("url",)
    item_kind: ItemKind = "cloud"
    ui_color = "#c9e7ff"

    def submit(self, hook: OffcloudHook) -> OffcloudItem:
        """Submit the link to the cloud."""
        return hook.cloud_download(self.url)

    def find_previous_submission(self, context: Context) -> OffcloudItem | None:
        """On a later try without a task state store, reuse a cloud item made from the same link."""
        ti = context.get("ti")
        if ti is None or int(getattr(ti, "try_number", 1) or 1) <= 1:
            return None
        from airflow_provider_offcloud.normalize import same_source

        try:
            history = self.hook.cloud_history()
        except OffcloudError as fault:
            self.log.warning("Could not read the cloud history to find an earlier submission: %s", fault)
            return None
        for item in history:
            if (
                same_source(self.url, item["originalLink"])
                and not OffcloudStatus.parse(item["status"]).is_failure
            ):
                self.log.info(
                    "Reusing Offcloud cloud item %s submitted by an earlier try.", item["requestId"]
                )
                return item
        return None

    def build_result(self, item: OffcloudItem) -> dict[str, Any]:
        """Add the item's files (name, path, size, link) to the downloaded item."""
        result: dict[str, Any] = dict(item)
        result["files"] = [dict(entry) for entry in self.hook.cloud_explore(item["requestId"])]
        return result


class OffcloudRemoteDownloadOperator(_OffcloudSubmitAndWaitOperator):
    """
    Submit a link to be downloaded by Offcloud straight into a remote account (FTP, Google Drive...).

    .. seealso::
        The how-to guide :doc:`/howto/remote_download_operator`, with a runnable example.

    The remote account is given by its id or by its name (its username as Offcloud lists it); a name is
    resolved through ``OffcloudHook.list_remote_accounts()``. Waiting, deferral, XCom and retries work as
    for :class:`OffcloudCloudDownloadOperator`; the result is the normalised remote item.

    :param url: The http(s) link or magnet (templated).
    :param remote_option_id: The remote account: its id or its name (templated).
    :param folder_id: The Google Drive folder to download into (templated).
    :param offcloud_conn_id: The Airflow connection.
    :param wait_for_completion: Wait until the item is delivered; otherwise return the submitted item.
    :param deferrable: Wait in the triggerer; defaults to ``[operators] default_deferrable``.
    :param poll_interval: First and shortest pause between status reads, in seconds.
    :param max_poll_interval: Longest pause, reached while the item stays queued, in seconds.
    :param timeout: Longest wait (seconds or timedelta; ``None`` for no limit).
    :param stuck_after: Fail (retryably) when the item stays created/queued without progress this long.
    :param durable: Remember the request id across tries (Airflow 3.3+); see the class notes.
    """

    template_fields = ("url", "remote_option_id", "folder_id")
    item_kind: ItemKind = "remote"
    ui_color = "#d6f5d6"

    def __init__(self, *, remote_option_id: str, folder_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.remote_option_id = remote_option_id
        self.folder_id = folder_id

    def submit(self, hook: OffcloudHook) -> OffcloudItem:
        """Resolve the remote account and submit the link to it."""
        return hook.remote_download(self.url, self.resolve_remote_account(hook), self.folder_id)

    def resolve_remote_account(self, hook: OffcloudHook) -> str:
        """
        Return the id of the remote account given by id or by name.

        :param hook: The hook of the connection.
        :raises OffcloudBadInputError: naming the accounts there are, when none (or several) match.
        """
        wanted = str(self.remote_option_id or "").strip()
        if not wanted:
            raise OffcloudBadInputError("remote_option_id is empty: give a remote account's id or name.")
        try:
            accounts = hook.list_remote_accounts()
        except OffcloudRouteMissingError:
            self.log.warning("Offcloud cannot list remote accounts; using %r as the account id.", wanted)
            return wanted

        if any(account["remoteOptionId"] == wanted for account in accounts):
            return wanted
        matches = [account for account in accounts if (account["username"] or "").lower() == wanted.lower()]
        if len(matches) == 1:
            self.log.info("Remote account %r is %s.", wanted, matches[0]["remoteOptionId"])
            return matches[0]["remoteOptionId"]
        problem = "several remote accounts are named" if matches else "there is no remote account"
        raise OffcloudBadInputError(
            f"On connection {self.offcloud_conn_id!r} {problem} {wanted!r}. "
            f"Available: {_describe_accounts(matches or accounts)}. "
            "Give remote_option_id as one of these ids or unique names."
        )


def _describe_accounts(accounts: list[OffcloudRemoteAccount]) -> str:
    if not accounts:
        return "none (add one on https://offcloud.com/#/remote)"
    described = []
    for account in accounts:
        name = account["username"] or "(no name)"
        described.append(f"{name!r} ({account['type'] or 'remote'}, id {account['remoteOptionId']})")
    return ", ".join(described)
