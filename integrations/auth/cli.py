"""`marquee user add|list|passwd`: manage users from the server's own machine (e.g. the first admin)."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING

from core.commands import CliCommand
from integrations.auth.passwords import password_problem
from integrations.auth.users import UserError

if TYPE_CHECKING:
    from core.hub import Hub


def _arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="create a local user")
    add.add_argument("username")
    add.add_argument("--admin", action="store_true", help="give the user the admin role")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    actions.add_parser("list", help="list users")
    passwd = actions.add_parser("passwd", help="set a local user's password")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise UserError("the passwords differ")
    return first


async def _run(hub: Hub, args: argparse.Namespace) -> int:
    service = hub.__dict__.get("auth")
    if service is None:
        print("The auth integration is not loaded; see `marquee integrations`.", file=sys.stderr)
        return 1
    try:
        if args.action == "list":
            for user in await service.users.list():
                flags = [user["role"], user["provider"]] + (["disabled"] if user["disabled"] else [])
                print(f"{user['username']}  ({', '.join(flags)})")
            return 0
        password = _password(args.password_stdin)
        problem = password_problem(password)
        if problem:
            raise UserError(problem)
        hashed = service.passwords.hash(password)
        if args.action == "add":
            role = "admin" if args.admin else "user"
            await service.users.create(args.username, provider="auth_local", role=role, password_hash=hashed)
            print(f"Created {role} '{args.username}'.")
            return 0
        user = await service.users.by_username(args.username)
        if user is None or user["provider"] != "auth_local":
            raise UserError(f"no local user '{args.username}'")
        await service.users.update(user["id"], password_hash=hashed)
        print(f"Password of '{args.username}' changed.")
        return 0
    except UserError as err:
        print(f"marquee user: {err}", file=sys.stderr)
        return 1


USER_COMMAND = CliCommand(
    "user", "Create and list users, set passwords (run on the server's machine).", _arguments, _run
)
