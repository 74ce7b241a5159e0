"""The `imr-search` command: one click group; each feature module contributes its commands.

parse / index / generate   indexer.commands
search / similar           imr_search.commands
serve / demo               search_ui.commands
"""

from __future__ import annotations

import click

from imr_search import commands as search_commands
from indexer import commands as indexer_commands
from search_ui import commands as ui_commands


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="imr-search")
def main() -> None:
    """Search California workers' comp Independent Medical Review decisions."""


for module in (indexer_commands, search_commands, ui_commands):
    for command in module.COMMANDS:
        main.add_command(command)
