"""The ``offcloud`` connection form: its extra fields and how the standard fields are labelled."""

from __future__ import annotations

from typing import Any

#: Extra fields, in the declarative form Airflow 3.2+ reads from provider info (``conn-fields``).
CONNECTION_FIELDS: dict[str, dict[str, Any]] = {
    "api_key": {
        "label": "API key",
        "description": "Key from https://offcloud.com/#/account; when set, the password is not used.",
        "schema": {"type": ["string", "null"], "format": "password"},
    },
    "api_key_location": {
        "label": "API key location",
        "description": "header: Authorization: Bearer (default); query: the older ?key= form.",
        "schema": {"type": ["string", "null"], "enum": ["header", "query", None], "default": "header"},
    },
    "timeout": {
        "label": "Request timeout (seconds)",
        "schema": {"type": ["number", "null"], "default": 30},
    },
    "verify": {
        "label": "Verify TLS certificates",
        "description": "Turn off only for a local test service with a self-signed certificate.",
        "schema": {"type": ["boolean", "null"], "default": True},
    },
}

#: How the standard fields appear, in provider-info spelling (``ui-field-behaviour``).
CONNECTION_UI_BEHAVIOUR: dict[str, Any] = {
    "hidden-fields": ["extra"],
    "relabeling": {
        "host": "API address",
        "schema": "Scheme (https when empty)",
        "login": "Account e-mail (password login)",
        "password": "Account password (password login)",
    },
    "placeholders": {
        "host": "offcloud.com, or http://127.0.0.1:8765 for the local emulator",
        "schema": "https",
        "login": "you@example.com (leave empty when using an API key)",
        "password": "leave empty when using an API key",
        "api_key": "32 letters and digits",
        "api_key_location": "header",
        "timeout": "30",
    },
}

#: The same behaviour in the hook-method spelling that Airflow 3.0 and 3.1 read.
CONNECTION_FIELD_BEHAVIOUR: dict[str, Any] = {
    "hidden_fields": CONNECTION_UI_BEHAVIOUR["hidden-fields"],
    "relabeling": CONNECTION_UI_BEHAVIOUR["relabeling"],
    "placeholders": CONNECTION_UI_BEHAVIOUR["placeholders"],
}


def connection_form_widgets() -> dict[str, Any]:
    """
    Build the extra fields as WTForms widgets, for Airflow 3.0 and 3.1.

    The form libraries are imported here, not at module level, so that parsing DAGs never pays for them.
    """
    from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget, BS3TextFieldWidget
    from flask_babel import lazy_gettext
    from wtforms import BooleanField, PasswordField, StringField

    return {
        "api_key": PasswordField(lazy_gettext("API key"), widget=BS3PasswordFieldWidget()),
        "api_key_location": StringField(lazy_gettext("API key location"), widget=BS3TextFieldWidget()),
        "timeout": StringField(lazy_gettext("Request timeout (seconds)"), widget=BS3TextFieldWidget()),
        "verify": BooleanField(lazy_gettext("Verify TLS certificates"), default=True),
    }
