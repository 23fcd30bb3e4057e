"""`inspector init`, `inspector products add|list|region`, `inspector settings [KEY [VALUE]]`."""

from __future__ import annotations

import argparse
import json
import sys

from inspector.cli.common import (
    DATABASE_URL_ENV,
    actor_for,
    add_common,
    database_url,
    emit,
    open_project,
    project_dir,
)
from inspector.errors import UserError
from inspector.services.settings_rules import VALIDATORS


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "init", help="create a new project with its first admin",
        description="With --database-url (or $INSPECTOR_DATABASE_URL) the project's data go "
        "into that empty database on a server, and the folder (a share every station of the "
        "line mounts) keeps images, models and heat maps.")
    add_common(p)
    p.add_argument("--admin", default="admin", help="name of the first admin (default: admin)")
    p.add_argument("--admin-pin", default=None, help="PIN of the first admin (optional)")
    p.set_defaults(handler=run_init)

    prod = sub.add_parser("products",
                          help="add or list products, or set a product's inspection region")
    psub = prod.add_subparsers(dest="products_command", metavar="ACTION", required=True)
    add = psub.add_parser("add", help="add a product (QA lead or admin)")
    add_common(add)
    add.add_argument("name")
    add.add_argument("--sku")
    add.add_argument("--line")
    add.add_argument("--station")
    add.set_defaults(handler=run_products_add)
    lst = psub.add_parser("list", help="list products")
    add_common(lst)
    lst.set_defaults(handler=run_products_list)
    reg = psub.add_parser(
        "region", help="set the product's inspection region (QA lead or admin)",
        description="The part of every image the model looks at, as fractions of the image "
        "width and height: LEFT TOP RIGHT BOTTOM, e.g. 0.1 0.05 0.9 0.95. --clear: the "
        "whole image. Takes effect at the next training.",
    )
    add_common(reg)
    reg.add_argument("name")
    reg.add_argument("box", nargs="*", type=float, metavar="FRACTION")
    reg.add_argument("--clear", action="store_true", help="inspect the whole image again")
    reg.set_defaults(handler=run_products_region)

    st = sub.add_parser(
        "settings", help="show settings, or change one (QA lead or admin)",
        description="Without KEY: list all settings. With KEY: show one. With KEY VALUE: set "
        "it\n(VALUE is parsed as JSON where possible, e.g. 60000000, true, \"text\").",
        epilog=SETTINGS_HELP, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_common(st)
    st.add_argument("key", nargs="?", help="a setting's name (see below)")
    st.add_argument("value", nargs="?", help="its new value")
    st.set_defaults(handler=run_settings)


def run_init(args: argparse.Namespace) -> int:
    from inspector.services.project import init_project

    root = project_dir(args)
    project = init_project(root, args.admin, args.admin_pin, database_url=database_url(args))
    server = None if project.db.is_sqlite else project.db.describe()  # password hidden
    project.close()
    data = {"project": str(root.resolve()), "database": server, "admin": args.admin.strip(),
            "pin_set": bool(args.admin_pin)}
    where = (f"\nDatabase on the server: {server} (every station opens this folder with "
             f"this database URL, e.g. ${DATABASE_URL_ENV})") if server else ""
    emit(args, data, f"Created project in {root.resolve()}{where}\n"
         f"First admin: {args.admin.strip()}"
         + (" (with PIN)" if args.admin_pin else " (no PIN; set one with 'operators pin')"))
    return 0


def run_products_add(args: argparse.Namespace) -> int:
    from inspector.services.products import add_product

    with open_project(args) as project:
        info = add_product(project, actor_for(args, project), args.name, sku=args.sku,
                           line=args.line, station=args.station)
    emit(args, info, f"Added product {info.name} (id {info.id})")
    return 0


def run_products_list(args: argparse.Namespace) -> int:
    from inspector.services.products import list_products

    with open_project(args) as project:
        items = list_products(project)
    lines = [f"{p.id:>4}  {p.name:<30} sku={p.sku or '-'} line={p.line or '-'} "
             f"station={p.station or '-'}"
             + (" region=" + ",".join(f"{v:g}" for v in p.region) if p.region else "")
             for p in items]
    emit(args, items, "\n".join(lines) if lines else "No products yet.")
    return 0


def run_products_region(args: argparse.Namespace) -> int:
    from inspector.engine.region import Region, describe
    from inspector.errors import UserError
    from inspector.services.products import set_region

    if args.clear == bool(args.box):
        raise UserError("give LEFT TOP RIGHT BOTTOM (four fractions) or --clear")
    with open_project(args) as project:
        info = set_region(project, actor_for(args, project), args.name,
                          None if args.clear else args.box)
    emit(args, info, f"Inspection region of {info.name}: "
         f"{describe(Region.from_seq(info.region))} (used from the next training)")
    return 0


def _parse_value(text: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


SETTINGS_HELP = """settings (README, "Project settings", has the details):
  target_false_reject_rate     share of good parts the next threshold may reject (0.01)
  uncertain_false_reject_rate  an "uncertain" band down to this share (off: 0)
  severity_bands               {"major_ratio", "critical_ratio", "major_area",
                               "critical_area"}; {} restores the model's own
  sensor_bits                  bits a camera fills of its 16-bit files: 10, 12, 14, 16
  max_pixels                   larger pictures are refused at import (60000000)
  report_shifts                "early=06:00-14:00,late=14:00-22:00,night=22:00-06:00"
  gui_idle_signout_minutes     the GUI signs out after this many idle minutes (10; 0 never)
  hot_folder                   the GUI's default hot folder"""

# Settings that change how the next model is made or how pictures are read: say so.
RETRAIN_AFTER = {
    "sensor_bits": "16-bit pictures are read this way from now on: retrain the model "
                   "(16-bit parts are refused until then).",
    "target_false_reject_rate": "Used from the next training.",
    "uncertain_false_reject_rate": "Used from the next training.",
}


def run_settings(args: argparse.Namespace) -> int:
    with open_project(args) as project:
        if args.key is not None and args.value is not None:
            value = _parse_value(args.value)
            known = args.key in VALIDATORS
            project.set_setting(actor_for(args, project), args.key, value)
            if not known:  # only a key an older version stored gets here: it was removed
                emit(args, {args.key: None}, f"{args.key} removed (an older version's "
                     "setting, not used by this one)")
                return 0
            value = project.get_setting(args.key)
            text = f"{args.key} = {_shown(value)}"
            if args.key in RETRAIN_AFTER:
                text += f"\n{RETRAIN_AFTER[args.key]}"
            emit(args, {args.key: value}, text)
            return 0
        values = project.all_settings()
        problems = project.setting_problems()
        legacy = set(project.stored_setting_keys()) - set(VALIDATORS)
    if args.key is not None:
        if args.key not in VALIDATORS:
            raise UserError(f"'{args.key}' is not a setting of this version"
                            + (" (an older one stored it; it is not used: `inspector settings "
                               f"{args.key} null` removes it)" if args.key in legacy else "")
                            + "; the settings are: " + ", ".join(sorted(VALIDATORS)))
        values = {args.key: values.get(args.key)}
        problems = {k: v for k, v in problems.items() if k == args.key}
    for key, why in problems.items():
        print(f"warning: setting {key}: {why}", file=sys.stderr)
    emit(args, values, "\n".join(f"{k} = {_shown(v)}" for k, v in sorted(values.items())))
    return 0


def _shown(value: object) -> str:
    """A setting as typed: JSON, with "Frühschicht" as it is, not "Fr\\u00fchschicht"."""
    return json.dumps(value, ensure_ascii=False)
