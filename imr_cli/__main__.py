"""`python -m imr_cli`: the `imr-search` command without its console script."""

from imr_cli.main import main

main(prog_name="imr-search")
