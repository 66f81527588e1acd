"""Subcommands of the ``inspector`` CLI, one module per area of work.

Each module has ``register(subparsers, json_parent)`` adding its commands,
each with a handler ``(args, ctx) -> (payload, human_text)``.
"""
from inspector.commands import (
    evidence_commands, form_commands, gui_command, sync_commands, workspace_commands,
)

COMMAND_MODULES = [workspace_commands, evidence_commands, form_commands, sync_commands, gui_command]
