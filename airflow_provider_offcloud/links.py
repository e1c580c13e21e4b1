"""The operator extra link from an Offcloud task to its item's page on offcloud.com."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from airflow.providers.common.compat.sdk import BaseOperatorLink, XCom

if TYPE_CHECKING:
    from airflow.providers.common.compat.sdk import BaseOperator, TaskInstanceKey

#: Where Offcloud's web pages live; the link never carries the connection's host, key or cookie.
OFFCLOUD_WEB_URL = "https://offcloud.com"

#: XCom key under which Offcloud tasks push their item's request id, before waiting.
REQUEST_ID_XCOM_KEY = "request_id"

#: The page of the web app that lists items of each kind.
PAGES = {"cloud": "cloud", "remote": "remote", "instant": "instant"}


def item_page_url(kind: str, request_id: str) -> str:
    """
    Build the address of an item's page on offcloud.com.

    :param kind: ``cloud``, ``remote`` or ``instant``.
    :param request_id: The item's ``requestId``.
    """
    page = PAGES.get(kind, "cloud")
    return f"{OFFCLOUD_WEB_URL}/#/{page}?requestId={quote(str(request_id), safe='')}"


class OffcloudItemLink(BaseOperatorLink):
    """
    Link a task to its item on offcloud.com, from the request id it pushed to XCom (key ``request_id``).

    The task pushes the id as soon as it knows it, before waiting, so the link works while the task waits.
    The page kind comes from the task's ``item_kind`` attribute (``cloud`` when it has none).
    """

    name = "Offcloud item"

    def get_link(self, operator: BaseOperator, *, ti_key: TaskInstanceKey) -> str:
        """
        Return the item's page, or an empty string while the task has no request id yet.

        :param operator: The task.
        :param ti_key: The task instance whose XCom holds the request id.
        """
        request_id = XCom.get_value(ti_key=ti_key, key=REQUEST_ID_XCOM_KEY)
        if not request_id:
            return ""
        return item_page_url(str(getattr(operator, "item_kind", "cloud")), str(request_id))
