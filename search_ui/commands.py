"""CLI commands of this package (registered by imr_search.cli)."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
