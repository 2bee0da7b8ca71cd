"""Sub-commands of the `selector` command line, one module per area."""
