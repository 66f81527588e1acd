"""Account commands: ``user add``, ``user list``, ``whoami``, ``logout``.

::

    inspector --workspace W user add NAME --role R [--role R2] --jurisdiction ADCODE --name 显示名 --password-stdin
    inspector --workspace W user list --json
    inspector --workspace W whoami --json
    inspector --workspace W logout

Local accounts belong to a standalone workspace; a workspace that syncs with a
server takes its accounts from the server (``user add`` is refused there).
``login`` (local with ``--user`` alone, or ``--server``) is contributed by the
``sync`` package beside the server login. ``whoami --json`` prints
``{"user", "name", "roles", "jurisdiction", "level", "source", "expires_at"}``
(the device's local user on a workspace without accounts: source ``device``)
and exits 2 with how to sign in when the workspace has accounts and nobody is
signed in.
"""
from __future__ import annotations

import argparse
import sys
from typing import Any

from inspector.casework.statuses import ROLES
from inspector.cli.context import Context, Handler, Subparsers
from inspector.i18n import pick


def register(subparsers: Subparsers, json_parent: argparse.ArgumentParser) -> None:
    def add(container: Subparsers, name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        parser = container.add_parser(name, parents=[json_parent], help=help_text)
        parser.set_defaults(handler=handler)
        return parser

    users = subparsers.add_parser("user", help="local accounts of a standalone workspace")
    actions = users.add_subparsers(dest="user_command", metavar="ACTION")
    actions.required = True
    user_add = add(actions, "add", cmd_user_add, "create or update a local account")
    user_add.add_argument("name", metavar="NAME")
    user_add.add_argument("--role", dest="roles", action="append", required=True, choices=ROLES,
                          help="a role of the account (repeat for several)")
    user_add.add_argument("--jurisdiction", required=True, metavar="ADCODE", help="province, city or county adcode")
    user_add.add_argument("--name", dest="display_name", required=True, metavar="显示名",
                          help="the name printed on forms and shown in history")
    user_add.add_argument("--password-stdin", action="store_true", required=True,
                          help="read the password from the first line of standard input")
    add(actions, "list", cmd_user_list, "list the local accounts")
    add(subparsers, "whoami", cmd_whoami, "who is working in this workspace")
    add(subparsers, "logout", cmd_logout, "sign the current user out of this workspace")


def cmd_user_add(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.accounts.local_accounts import add_account

    password = sys.stdin.readline().rstrip("\r\n")
    account = add_account(ctx.workspace(), args.name, roles=args.roles, jurisdiction=args.jurisdiction,
                          display_name=args.display_name, password=password)
    payload = account.as_dict()
    return payload, pick(f"账号 {account.name}（{account.display_name}，{'/'.join(account.roles)}，"
                         f"{account.jurisdiction}）已保存",
                         f"account {account.name} ({account.display_name}, {'/'.join(account.roles)}, "
                         f"{account.jurisdiction}) saved")


def cmd_user_list(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.accounts.local_accounts import list_accounts

    accounts = list_accounts(ctx.workspace())
    return [a.as_dict() for a in accounts], "\n".join(
        f"{a.name}\t{a.display_name}\t{'/'.join(a.roles)}\t{a.jurisdiction}" for a in accounts
    ) or pick("没有本地账号", "no local accounts")


def cmd_whoami(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.accounts.sign_in import acting_actor, whoami

    actor = acting_actor(ctx.workspace())
    payload = whoami(actor)
    place = actor.jurisdiction or pick("无辖区", "no jurisdiction")
    return payload, f"{actor.name}（{actor.user}，{'/'.join(actor.roles)}，{place}）"


def cmd_logout(args: argparse.Namespace, ctx: Context) -> tuple[Any, str]:
    from inspector.accounts.sign_in import sign_out, whoami

    was = sign_out(ctx.workspace())
    payload = {"signed_out": whoami(was) if was else None}
    return payload, (pick(f"{was.name} 已退出登录", f"{was.name} signed out") if was
                     else pick("没有已登录的用户", "nobody was signed in"))
