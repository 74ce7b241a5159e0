"""How to reach Elasticsearch (URL, index alias, credentials, TLS, timeouts), and the shape of
the indices it creates (shards, replicas).

The index target is a URL: `http(s)://[user:password@]host:port[,host:port...][/alias]`. The
path, when present, names the index alias (default `imr-items`). Several hosts (the nodes of a
cluster, same scheme and credentials) let the client go on through another node when one is
down: requests rotate over them and a node that fails is set aside for a while. Everything
else comes from the environment, so secrets never sit in a command line:

    IMR_SEARCH_ES_API_KEY        API key (the base64 "id:key" form Kibana shows) - preferred
    IMR_SEARCH_ES_USERNAME       basic-auth user (with IMR_SEARCH_ES_PASSWORD)
    IMR_SEARCH_ES_PASSWORD
    IMR_SEARCH_ES_VERIFY_CERTS   "false" to skip TLS verification (self-signed dev clusters)
    IMR_SEARCH_ES_CA_CERTS       path to a CA bundle for https clusters
    IMR_SEARCH_ES_TIMEOUT        request timeout in seconds (default 30)
    IMR_SEARCH_ES_SHARDS         primary shards of the items index (default 1, and a full
                                 load of 100,000 items or more is then split: optimize.py)
    IMR_SEARCH_ES_REPLICAS       replicas of each shard: a number ("2"), or a range Elasticsearch
                                 adjusts to the cluster's size ("0-2", "1-all"); default "0-1"
    IMR_SEARCH_ES_MERGE_MINUTES  how long finishing a full load waits for its merge (optimize.py);
                                 default 60, 0 skips the merge

Shards and replicas apply when an index is created (the first `imr-search index`, or a rebuild);
replicas of an existing index change live with `PUT <alias>,<alias>-sources/_settings
{"index.number_of_replicas": N}`, shards only by re-indexing. The sources index (one small
record per file) always has one shard and follows the replicas setting.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from imr_search.elastic.serializer import MsgspecJsonSerializer
from imr_search.errors import EngineUnavailable
from mappings.elastic import DEFAULT_ALIAS

DEFAULT_TIMEOUT = 30.0
MAX_SHARDS = 1024  # Elasticsearch's own limit per index
_AUTO_EXPAND = re.compile(r"^\d+-(\d+|all)$")


@dataclass(frozen=True)
class IndexLayout:
    """Shards and replicas of the indices the engine creates (None: the definition's own)."""

    shards: int | None = None
    replicas: int | None = None
    auto_expand_replicas: str | None = None  # e.g. "0-2": Elasticsearch sets the count

    @classmethod
    def from_env(cls, display: str, env: dict[str, str] | None = None) -> IndexLayout:
        """Read when an index may be created (a writer): a reader never needs it."""
        env = dict(os.environ) if env is None else env
        shards_text = (env.get("IMR_SEARCH_ES_SHARDS") or "").strip()
        replicas_text = (env.get("IMR_SEARCH_ES_REPLICAS") or "").strip()
        shards = None
        if shards_text:
            if not shards_text.isdigit() or not 1 <= int(shards_text) <= MAX_SHARDS:
                raise EngineUnavailable(
                    display,
                    f"IMR_SEARCH_ES_SHARDS must be a whole number from 1 to {MAX_SHARDS}, "
                    f"not {shards_text!r}",
                )
            shards = int(shards_text)
        if not replicas_text:
            return cls(shards=shards)
        if replicas_text.isdigit():
            return cls(shards=shards, replicas=int(replicas_text))
        if _AUTO_EXPAND.match(replicas_text):
            return cls(shards=shards, auto_expand_replicas=replicas_text)
        raise EngineUnavailable(
            display,
            "IMR_SEARCH_ES_REPLICAS must be a number of replicas (e.g. 2) or a range "
            f"Elasticsearch adjusts to the cluster (e.g. 0-2, 1-all), not {replicas_text!r}",
        )

    def replica_settings(self) -> dict[str, Any]:
        """Index settings for the replicas (empty: keep the definition's)."""
        if self.replicas is not None:
            return {"number_of_replicas": self.replicas, "auto_expand_replicas": "false"}
        if self.auto_expand_replicas is not None:
            return {"auto_expand_replicas": self.auto_expand_replicas}
        return {}

    def items_settings(self) -> dict[str, Any]:
        """Index settings of the items index: shards and replicas."""
        shards = {"number_of_shards": self.shards} if self.shards is not None else {}
        return {**shards, **self.replica_settings()}


@dataclass(frozen=True)
class ConnectionSettings:
    """Everything needed to build a client, parsed once from the target and environment."""

    node_url: str  # the first host: scheme://host:port, no credentials, no path
    alias: str
    display: str  # the target as shown in messages (password hidden)
    api_key: str | None = None
    username: str | None = None
    password: str | None = None
    verify_certs: bool = True
    ca_certs: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    node_urls: tuple[str, ...] = ()  # every host, node_url first (empty: node_url alone)

    @property
    def hosts(self) -> tuple[str, ...]:
        return self.node_urls or (self.node_url,)

    @classmethod
    def from_target(cls, target: str, env: dict[str, str] | None = None) -> ConnectionSettings:
        env = dict(os.environ) if env is None else env
        parts = urlsplit(target)
        userinfo, _, hostlist = parts.netloc.rpartition("@")
        if parts.scheme not in ("http", "https") or not hostlist.strip(","):
            raise EngineUnavailable(target, "expected a URL like http://localhost:9200/imr-items")
        alias = parts.path.strip("/") or DEFAULT_ALIAS
        if "/" in alias or alias.startswith(("_", "-", "+")) or alias != alias.lower():
            raise EngineUnavailable(
                target,
                f"'{alias}' is not a valid index name: use lower case, no '/' (e.g. "
                "http://localhost:9200/imr-items)",
            )
        hosts = [_host(parts.scheme, h, target) for h in hostlist.split(",") if h.strip()]
        node_urls = tuple(urlunsplit((parts.scheme, h, "", "", "")) for h in hosts)
        user = urlsplit(f"//{userinfo}@x") if userinfo else None
        username = (
            unquote(user.username) if user and user.username else env.get("IMR_SEARCH_ES_USERNAME")
        )
        password = (
            unquote(user.password) if user and user.password else env.get("IMR_SEARCH_ES_PASSWORD")
        )
        shown_user = f"{user.username}:***@" if user and user.password else ""
        display = f"{parts.scheme}://{shown_user}{','.join(hosts)}/{alias}"
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
            node_url=node_urls[0],
            alias=alias,
            display=display,
            api_key=env.get("IMR_SEARCH_ES_API_KEY") or None,
            username=username or None,
            password=password or None,
            verify_certs=verify,
            ca_certs=env.get("IMR_SEARCH_ES_CA_CERTS") or None,
            timeout=timeout,
            node_urls=node_urls,
        )

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for `elasticsearch.Elasticsearch`."""
        options: dict[str, Any] = {
            "hosts": list(self.hosts),
            "request_timeout": self.timeout,
            # Back-pressure (429) and a node restarting (502-504) are worth a few retries
            # (the bulk helper retries 429 per document on top of this); a timeout is not:
            # a person is waiting, and the message should come within one timeout.
            # A refused connection is retried too, on the next host: with several hosts, one
            # retry per other host lets a request get past every node that is down but one.
            "retry_on_status": (429, 502, 503, 504),
            "retry_on_timeout": False,
            "max_retries": max(2, len(self.hosts) - 1),
            "serializer": MsgspecJsonSerializer(),
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


def _host(scheme: str, host: str, target: str) -> str:
    """`host:port` of one host of a target (the scheme's default port when none is given)."""
    parts = urlsplit(f"//{host.strip()}")
    try:
        port = parts.port or (443 if scheme == "https" else 9200)
    except ValueError as exc:
        raise EngineUnavailable(target, f"'{host}' is not a host:port") from exc
    if not parts.hostname:
        raise EngineUnavailable(target, f"'{host}' is not a host:port")
    name = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{name}:{port}"
