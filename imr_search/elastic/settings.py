"""How to reach Elasticsearch: URL, index alias, credentials, TLS and timeouts.

The index target is a URL: `http(s)://[user:password@]host:port[/alias]`. The path, when
present, names the index alias (default `imr-items`); everything else comes from the
environment, so secrets never sit in a command line:

    IMR_SEARCH_ES_API_KEY        API key (the base64 "id:key" form Kibana shows) - preferred
    IMR_SEARCH_ES_USERNAME       basic-auth user (with IMR_SEARCH_ES_PASSWORD)
    IMR_SEARCH_ES_PASSWORD
    IMR_SEARCH_ES_VERIFY_CERTS   "false" to skip TLS verification (self-signed dev clusters)
    IMR_SEARCH_ES_CA_CERTS       path to a CA bundle for https clusters
    IMR_SEARCH_ES_TIMEOUT        request timeout in seconds (default 30)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from imr_search.errors import EngineUnavailable
from mappings.elastic import DEFAULT_ALIAS

DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True)
class ConnectionSettings:
    """Everything needed to build a client, parsed once from the target and environment."""

    node_url: str  # scheme://host:port, no credentials, no path
    alias: str
    display: str  # the target as shown in messages (password hidden)
    api_key: str | None = None
    username: str | None = None
    password: str | None = None
    verify_certs: bool = True
    ca_certs: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_target(cls, target: str, env: dict[str, str] | None = None) -> ConnectionSettings:
        env = dict(os.environ) if env is None else env
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise EngineUnavailable(target, "expected a URL like http://localhost:9200/imr-items")
        alias = parts.path.strip("/") or DEFAULT_ALIAS
        if "/" in alias or alias.startswith(("_", "-", "+")) or alias != alias.lower():
            raise EngineUnavailable(
                target,
                f"'{alias}' is not a valid index name: use lower case, no '/' (e.g. "
                "http://localhost:9200/imr-items)",
            )
        port = parts.port or (443 if parts.scheme == "https" else 9200)
        node_url = urlunsplit((parts.scheme, f"{parts.hostname}:{port}", "", "", ""))
        username = unquote(parts.username) if parts.username else env.get("IMR_SEARCH_ES_USERNAME")
        password = unquote(parts.password) if parts.password else env.get("IMR_SEARCH_ES_PASSWORD")
        shown_host = f"{parts.username}:***@" if parts.password else ""
        display = f"{parts.scheme}://{shown_host}{parts.hostname}:{port}/{alias}"
        try:
            timeout = float(env.get("IMR_SEARCH_ES_TIMEOUT") or DEFAULT_TIMEOUT)
        except ValueError as exc:
            raise EngineUnavailable(display, "IMR_SEARCH_ES_TIMEOUT must be seconds") from exc
        verify = (env.get("IMR_SEARCH_ES_VERIFY_CERTS") or "true").lower() not in (
            "0",
            "false",
            "no",
            "off",
        )
        return cls(
            node_url=node_url,
            alias=alias,
            display=display,
            api_key=env.get("IMR_SEARCH_ES_API_KEY") or None,
            username=username or None,
            password=password or None,
            verify_certs=verify,
            ca_certs=env.get("IMR_SEARCH_ES_CA_CERTS") or None,
            timeout=timeout,
        )

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for `elasticsearch.Elasticsearch`."""
        options: dict[str, Any] = {
            "hosts": [self.node_url],
            "request_timeout": self.timeout,
            # Back-pressure (429) and a node restarting (502-504) are worth a few retries
            # (the bulk helper retries 429 per document on top of this); a timeout is not:
            # a person is waiting, and the message should come within one timeout.
            "retry_on_status": (429, 502, 503, 504),
            "retry_on_timeout": False,
            "max_retries": 2,
        }
        if self.api_key:
            options["api_key"] = self.api_key
        elif self.username:
            options["basic_auth"] = (self.username, self.password or "")
        if self.node_url.startswith("https://"):
            options["verify_certs"] = self.verify_certs
            if self.ca_certs:
                options["ca_certs"] = self.ca_certs
            if not self.verify_certs:
                options["ssl_show_warn"] = False
        return options
