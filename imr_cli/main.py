"""The `imr-search` group: one click group; each command module contributes its commands."""

from __future__ import annotations

import click

from imr_cli import letters, precedent, search, serve, show


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="imr-search")
def main() -> None:
    """Search California workers' comp Independent Medical Review decisions."""


for module in (letters, search, show, precedent, serve):
    for command in module.COMMANDS:
        main.add_command(command)
