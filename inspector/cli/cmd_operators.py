"""`inspector operators add|list|role|pin|deactivate|activate` (QA leads edit operators;
QA leads and admins themselves, and those two roles, are an admin's to edit)."""

from __future__ import annotations

import argparse
import getpass

from inspector.cli.common import actor_for, add_common, emit, open_project
from inspector.errors import UserError
from inspector.store.models import ROLES


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("operators", help="manage operators, roles and PINs")
    osub = p.add_subparsers(dest="operators_command", metavar="ACTION", required=True)
    add = osub.add_parser("add", help="add an operator (QA lead; a QA lead or admin: admin)")
    add_common(add)
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, default="operator")
    add.add_argument("--new-pin", default=None, help="PIN for the new operator (optional)")
    add.set_defaults(handler=run_add)
    lst = osub.add_parser("list", help="list operators (QA lead or admin)")
    add_common(lst)
    lst.set_defaults(handler=run_list)
    role = osub.add_parser("role", help="change an operator's role (admin)")
    add_common(role)
    role.add_argument("name")
    role.add_argument("role", choices=ROLES)
    role.set_defaults(handler=run_role)
    pin = osub.add_parser(
        "pin", help="set or clear an operator's PIN (QA lead; a QA lead's or admin's: "
                    "admin; anyone may set their own)",
        description="Sets the PIN given with --new-pin, clears it with --clear, or asks for "
        "it on the terminal.",
    )
    add_common(pin)
    pin.add_argument("name")
    group = pin.add_mutually_exclusive_group()
    group.add_argument("--new-pin", default=None)
    group.add_argument("--clear", action="store_true", help="remove the PIN")
    pin.set_defaults(handler=run_pin)
    rights = "(QA lead; a QA lead or admin: admin)"
    for action, text in (("deactivate", "stop someone signing in (left the company); "
                                        f"their records stay {rights}"),
                         ("activate", f"let a deactivated operator sign in again {rights}")):
        sp = osub.add_parser(action, help=text)
        add_common(sp)
        sp.add_argument("name")
        sp.set_defaults(handler=run_active, active=action == "activate")


def run_add(args: argparse.Namespace) -> int:
    from inspector.services.operators import add_operator

    with open_project(args) as project:
        info = add_operator(project, actor_for(args, project), args.name, args.role,
                            args.new_pin)
    text = f"Added operator {info.name} ({info.role})"
    if info.role != "operator" and not info.has_pin:
        text += (f"\nwarning: {info.name} has no PIN, so anyone at a station can sign in as "
                 f"this {info.role}; set one with `inspector operators pin {info.name}`")
    emit(args, info, text)
    return 0


def run_list(args: argparse.Namespace) -> int:
    from inspector.services.operators import list_operators

    with open_project(args) as project:
        items = list_operators(project, actor_for(args, project))
    lines = [f"{o.id:>4}  {o.name:<24} {o.role:<9} pin={'yes' if o.has_pin else 'no'}"
             + ("" if o.active else "  (inactive)") for o in items]
    emit(args, items, "\n".join(lines))
    return 0


def run_role(args: argparse.Namespace) -> int:
    from inspector.services.operators import set_role

    with open_project(args) as project:
        info = set_role(project, actor_for(args, project), args.name, args.role)
    emit(args, info, f"{info.name} is now {info.role}")
    return 0


def run_pin(args: argparse.Namespace) -> int:
    from inspector.services.operators import set_pin

    new_pin = None if args.clear else args.new_pin
    with open_project(args) as project:
        actor = actor_for(args, project)
        if new_pin is None and not args.clear:
            try:
                new_pin = getpass.getpass(f"New PIN for {args.name}: ")
                if getpass.getpass("Repeat the PIN: ") != new_pin:
                    raise UserError("the two PINs differ; nothing changed")
            except EOFError:  # Ctrl+D, or no terminal and nothing piped in
                raise UserError("no new PIN typed; nothing changed (without a terminal, "
                                "give it with --new-pin)") from None
        info = set_pin(project, actor, args.name, new_pin)
    text = f"PIN of {info.name} {'set' if info.has_pin else 'cleared'}"
    if info.role != "operator" and not info.has_pin:
        text += (f"\nwarning: {info.name} has no PIN now, so anyone at a station can sign in "
                 f"as this {info.role}")
    emit(args, info, text)
    return 0


def run_active(args: argparse.Namespace) -> int:
    from inspector.services.operators import set_active

    with open_project(args) as project:
        info = set_active(project, actor_for(args, project), args.name, args.active)
    emit(args, info, f"{info.name} can {'now' if info.active else 'no longer'} sign in")
    return 0
