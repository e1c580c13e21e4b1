"""Names of the emulator's routes, used in the request log and to aim injected faults."""

from __future__ import annotations

LOGIN = "login"
LOGIN_CHECK = "login_check"
API_KEY = "api_key"
INSTANT_ADD = "instant_add"
INSTANT_STATUS = "instant_status"
INSTANT_HISTORY = "instant_history"
CLOUD_ADD = "cloud_add"
CLOUD_STATUS = "cloud_status"
CLOUD_HISTORY = "cloud_history"
CLOUD_EXPLORE = "cloud_explore"
CLOUD_LIST = "cloud_list"
CLOUD_REMOVE = "cloud_remove"
CLOUD_RETRY = "cloud_retry"
REMOTE_ADD = "remote_add"
REMOTE_STATUS = "remote_status"
REMOTE_RETRY = "remote_retry"
REMOTE_ACCOUNTS = "remote_accounts"
CACHE_CHECK = "cache_check"
CACHE_INFO = "cache_info"
CACHE_DOWNLOAD = "cache_download"
PROXY_LIST = "proxy_list"
ACCOUNT_INFO = "account_info"
ACCOUNT_STATS = "account_stats"
FILE_DOWNLOAD = "file_download"

#: Logged for requests no route matched.
NOT_FOUND = "not_found"

#: Matches every route when injecting a fault.
ANY_ROUTE = "*"

ALL_ROUTE_NAMES: frozenset[str] = frozenset(
    {
        LOGIN,
        LOGIN_CHECK,
        API_KEY,
        INSTANT_ADD,
        INSTANT_STATUS,
        INSTANT_HISTORY,
        CLOUD_ADD,
        CLOUD_STATUS,
        CLOUD_HISTORY,
        CLOUD_EXPLORE,
        CLOUD_LIST,
        CLOUD_REMOVE,
        CLOUD_RETRY,
        REMOTE_ADD,
        REMOTE_STATUS,
        REMOTE_RETRY,
        REMOTE_ACCOUNTS,
        CACHE_CHECK,
        CACHE_INFO,
        CACHE_DOWNLOAD,
        PROXY_LIST,
        ACCOUNT_INFO,
        ACCOUNT_STATS,
        FILE_DOWNLOAD,
    }
)
