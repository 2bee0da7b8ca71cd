"""The `selector` command: one click group; each area registers its commands below."""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="selector")
def main() -> None:
    """Selector: score vendors in a tender, rank them and report the decision."""


# Each area of the application keeps its commands in selector/commands/<area>.py and
# registers them here, one line per area.
