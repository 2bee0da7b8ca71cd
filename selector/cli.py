"""The `selector` command: one click group whose sub-commands load on first use.

`selector score` must start fast (its benchmark counts the whole process), so a command's
module — and with it Flask, WeasyPrint or pandas — is imported only when that command runs.
This is the lazy-group pattern from click's documentation ("Lazily Loading Subcommands").
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from selector.runtime import console_script_started, teardown_skipped

# name -> "module:attribute" of a click command or group. Each area of the application keeps
# its commands in selector/commands/<area>.py and adds its lines here.
COMMANDS: dict[str, str] = {
    "score": "selector.commands.score:score",
    "criteria": "selector.commands.criteria:criteria",
    "init-db": "selector.commands.web:init_db",
    "serve": "selector.commands.web:serve",
    "worker": "selector.commands.web:worker",
    "remind": "selector.commands.web:remind",
    "demo": "selector.commands.web:demo",
    "user": "selector.commands.web:user",
    "report": "selector.commands.report:report",
    "export": "selector.commands.report:export",
    "check-deploy": "selector.commands.deploy:check_deploy",
    "audit": "selector.commands.audit:audit",
    "backup": "selector.commands.backup:backup",
    "restore": "selector.commands.backup:restore",
}


class LazyGroup(click.Group):
    """A click group that imports a sub-command's module only when it is invoked."""

    def __init__(self, *args: object, lazy_commands: dict[str, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy_commands = lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.lazy_commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands:
            module_name, attribute = self.lazy_commands[cmd_name].split(":")
            command = getattr(importlib.import_module(module_name), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self.lazy_commands[cmd_name]} is not a click command")
            return command
        return super().get_command(ctx, cmd_name)


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name="selector")
def main() -> None:
    """Selector: score vendors in a tender, rank them and report the decision."""


def run() -> None:
    """The `selector` console script: `main`, then — for a command that asked for it
    (`selector.runtime.leave_without_teardown`) — stdout and stderr flushed and the process
    ended at once with the command's exit status, as the interpreter would give it."""
    console_script_started()
    try:
        main()
    except SystemExit as done:
        if not teardown_skipped():
            raise
        code = done.code
        if code is not None and not isinstance(code, int):
            print(code, file=sys.stderr)  # sys.exit("message"): the message, status 1
            code = 1
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except OSError:  # a closed pipe: the interpreter's own status for a failed flush
            os._exit(120)
        os._exit(code or 0)
