"""
novatx-manage: the operator's commands for the store.

    novatx-manage [--config-file FILE] db sync [REVISION]
    novatx-manage db version
    novatx-manage flavor create NAME --ram MB --vcpus N --disk GB [--id ID] [--private]
    novatx-manage flavor delete ID | flavor list
    novatx-manage image create NAME [--disk-format F] [--container-format F] [--private]
    novatx-manage image delete ID | image list
    novatx-manage ec2-credentials create|list|delete --user-id U --project-id P [--access A]

Every command first says on stderr which store it uses (its URL, password
hidden): without --config-file the store is ./novatx-state/novatx.sqlite under
the current directory, so a command run from elsewhere would use another one.

ec2-credentials create prints export AWS_ACCESS_KEY_ID=... and
export AWS_SECRET_ACCESS_KEY=... so that
eval "$(novatx-manage ec2-credentials create ...)" puts them in the
environment of the commands that follow (the aws CLI, boto3). Commands act
through the internal API (its checks and messages), with no driver running:
they never take over transitions. Like the daemon, they first create or
upgrade the schema when [database] auto_migrate is on, and otherwise refuse a
stale one ("run 'novatx-manage db sync'").
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Sequence

from twisted.internet.defer import ensureDeferred

from novatx.compute.context import get_admin_context
from novatx.compute.exceptions import NovatxException
from novatx.config import make_config
from novatx.db import engine as db_engine
from novatx.db import migrate
from novatx.db.store import StoreUnavailable, describe, is_unavailable


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="novatx-manage", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config-file", action="append", default=[], metavar="FILE",
                        help="a nova.conf-style file naming the store in [database] "
                             "connection (repeatable; later files win)")
    parser.add_argument("--config-dir", action="append", default=[], metavar="DIR",
                        help="a directory of *.conf files, read in name order (repeatable)")
    commands = parser.add_subparsers(dest="category", required=True, metavar="COMMAND")

    db = commands.add_parser("db", help="create, upgrade or inspect the store's schema")
    db_actions = db.add_subparsers(dest="action", required=True, metavar="ACTION")
    sync = db_actions.add_parser(
        "sync", help="create or upgrade the schema, plugins' tables included",
        description="Create the store's tables, or upgrade them to REVISION; at head, "
                    "also every installed plugin's tables (entry points novatx.db.migrations).")
    sync.add_argument("revision", nargs="?", default="head",
                      help="the alembic revision to reach (default: head, the newest)")
    db_actions.add_parser("version", help="print the schema's revision (None: no schema yet)")

    flavor = commands.add_parser("flavor", help="create, delete or list flavors")
    flavor_actions = flavor.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = flavor_actions.add_parser("create", help="add a flavor")
    create.add_argument("name", help="the flavor's name (unique)")
    create.add_argument("--ram", type=int, required=True, metavar="MB", help="memory, in MB")
    create.add_argument("--vcpus", type=int, required=True, metavar="N",
                        help="number of virtual CPUs")
    create.add_argument("--disk", type=int, default=0, metavar="GB",
                        help="root disk, in GB (default: 0)")
    create.add_argument("--ephemeral", type=int, default=0, metavar="GB",
                        help="ephemeral disk, in GB (default: 0)")
    create.add_argument("--swap", type=int, default=0, metavar="MB",
                        help="swap, in MB (default: 0)")
    create.add_argument("--id", dest="flavorid", metavar="ID",
                        help="the flavor's id (default: a new UUID)")
    create.add_argument("--private", action="store_true",
                        help="hide the flavor from projects not given access")
    create.add_argument("--description", help="free text shown at microversion 2.55 and later")
    flavor_actions.add_parser("delete", help="remove a flavor").add_argument(
        "flavorid", metavar="ID", help="the flavor's id")
    flavor_actions.add_parser("list", help="list every flavor, public and private")

    image = commands.add_parser("image", help="create, delete or list image records")
    image_actions = image.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = image_actions.add_parser(
        "create", help="add an image record (no data: the simulated driver needs none)")
    create.add_argument("name", help="the image's name")
    create.add_argument("--disk-format", default="qcow2", metavar="FORMAT",
                        help="glance's disk_format (default: qcow2)")
    create.add_argument("--container-format", default="bare", metavar="FORMAT",
                        help="glance's container_format (default: bare)")
    create.add_argument("--min-disk", type=int, default=0, metavar="GB",
                        help="smallest root disk that can boot it, in GB (default: 0)")
    create.add_argument("--min-ram", type=int, default=0, metavar="MB",
                        help="least memory that can boot it, in MB (default: 0)")
    create.add_argument("--size", type=int, metavar="BYTES", help="the size glance reports")
    create.add_argument("--private", action="store_true",
                        help="not public: only admins see it")
    create.add_argument("--property", action="append", default=[], metavar="KEY=VALUE",
                        help="an image property such as os_distro=ubuntu (repeatable)")
    image_actions.add_parser("delete", help="remove an image record").add_argument(
        "image_id", metavar="ID", help="the image's UUID")
    image_actions.add_parser("list", help="list every image record")

    creds = commands.add_parser(
        "ec2-credentials", help="EC2 access keys: the identity an EC2 request is signed as")
    creds_actions = creds.add_subparsers(dest="action", required=True, metavar="ACTION")
    helps = {
        "create": "make a key pair and print it as export lines for eval",
        "list": "list keys, with their secrets",
        "delete": "remove a user's keys, or one key",
    }
    for name, text in helps.items():
        sub = creds_actions.add_parser(name, help=text)
        sub.add_argument("--user-id", required=name == "create", metavar="USER",
                         help="the user requests signed with the key act as")
        sub.add_argument("--project-id", required=name == "create", metavar="PROJECT",
                         help="the project requests signed with the key act in")
        if name == "delete":
            sub.add_argument("--access", metavar="KEY",
                             help="the access key to remove (default: all of the user's)")
    return parser


def _table(rows: list[Sequence[Any]], header: Sequence[str]) -> str:
    cells = [list(map(str, header))] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
                     for row in cells)


async def _catalog(conf: Any, args: argparse.Namespace, out: Any) -> None:
    from twisted.internet import reactor

    from novatx.compute.api import ComputeAPI
    from novatx.compute.driver import SimulatedDriver
    from novatx.db.store import Store

    url = db_engine.database_url(conf)
    store = Store(db_engine.create_engine(url, pool_size=1), reactor, threads=1)
    store.start()
    try:
        await store.call(migrate.ensure_current, store.engine, conf.database.auto_migrate)
    except BaseException:
        await store.stop()
        raise
    driver = SimulatedDriver(conf, store, reactor, "novatx-manage", lambda uuid: None)
    api = ComputeAPI(conf, store, reactor, driver)
    context = get_admin_context()
    try:
        if args.category == "flavor":
            await _flavor(api, context, args, out)
        elif args.category == "image":
            await _image(api, context, args, out)
        else:
            await _credentials(api, args, out)
    finally:
        await store.stop()


async def _flavor(api: Any, context: Any, args: argparse.Namespace, out: Any) -> None:
    if args.action == "create":
        flavor = await api.create_flavor(
            context, args.name, args.ram, args.vcpus, args.disk, flavorid=args.flavorid,
            ephemeral_gb=args.ephemeral, swap=args.swap, is_public=not args.private,
            description=args.description)
        out.write("Created flavor %s (id %s)\n" % (flavor.name, flavor.flavorid))
    elif args.action == "delete":
        await api.delete_flavor(context, args.flavorid)
        out.write("Deleted flavor %s\n" % args.flavorid)
    else:
        page = await api.list_flavors(context, is_public=None)
        out.write(_table([(f.flavorid, f.name, f.memory_mb, f.vcpus, f.root_gb, f.is_public)
                          for f in page.items],
                         ("ID", "Name", "RAM", "VCPUs", "Disk", "Public")) + "\n")


async def _image(api: Any, context: Any, args: argparse.Namespace, out: Any) -> None:
    if args.action == "create":
        properties = {}
        for item in args.property:
            key, sep, value = item.partition("=")
            if not sep:
                raise NovatxException("--property wants KEY=VALUE, not %r" % item)
            properties[key] = value
        image = await api.create_image_record(
            context, args.name, disk_format=args.disk_format,
            container_format=args.container_format,
            visibility="private" if args.private else "public", properties=properties,
            size=args.size, min_disk=args.min_disk, min_ram=args.min_ram)
        out.write("Created image %s (id %s, %s)\n" % (image.name, image.id, image.ec2_id))
    elif args.action == "delete":
        await api.delete_image(context, args.image_id)
        out.write("Deleted image %s\n" % args.image_id)
    else:
        page = await api.list_images(context)
        out.write(_table([(i.id, i.ec2_id, i.name, i.status, i.visibility) for i in page.items],
                         ("ID", "EC2 ID", "Name", "Status", "Visibility")) + "\n")


async def _credentials(api: Any, args: argparse.Namespace, out: Any) -> None:
    if args.action == "create":
        credential = await api.create_ec2_credential(args.user_id, args.project_id)
        out.write("export AWS_ACCESS_KEY_ID=%s\nexport AWS_SECRET_ACCESS_KEY=%s\n"
                  % (credential.access, credential.secret))
        return
    found = [c for c in await api.list_ec2_credentials(args.user_id)
             if args.project_id is None or c.project_id == args.project_id]
    if args.action == "list":
        out.write(_table([(c.access, c.secret, c.user_id, c.project_id) for c in found],
                         ("Access", "Secret", "User", "Project")) + "\n")
        return
    if args.access is None and args.user_id is None:
        raise NovatxException("ec2-credentials delete needs --access or --user-id")
    if args.access is not None:
        found = [c for c in found if c.access == args.access]
        if not found:
            raise NovatxException("EC2 access key %s not found." % args.access)
    for credential in found:
        await api.delete_ec2_credential(credential.access)
        out.write("Deleted %s\n" % credential.access)


def _db(conf: Any, args: argparse.Namespace, out: Any) -> None:
    url = db_engine.database_url(conf)
    engine = db_engine.create_engine(url, pool_size=1)
    try:
        if args.action == "sync":
            migrate.upgrade(engine, args.revision)
            out.write("Database at %s is at revision %s\n"
                      % (db_engine.safe_url(url), migrate.current(engine)))
            if args.revision == "head":
                for plugin in migrate.plugin_migrations():
                    out.write("Plugin %s's tables are at revision %s\n"
                              % (plugin.name, migrate.current(engine, plugin)))
        else:
            out.write("%s\n" % (migrate.current(engine) or "None"))
    finally:
        engine.dispose()


def _store(conf: Any) -> str:
    """
    The store's URL as a reader should see it: password hidden, and a SQLite
    file by its absolute path, since a relative one depends on where the
    command ran.
    """
    url = db_engine.database_url(conf)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        url = url.set(database=os.path.abspath(url.database))
    return db_engine.safe_url(url)


def run(argv: Sequence[str], out: Any = sys.stdout, err: Any = sys.stderr) -> int:
    """Run one command; returns the exit status (0 done, 1 failed, 2 usage)."""
    args = _parser().parse_args(list(argv))
    conf_args = [a for path in args.config_file for a in ("--config-file", path)]
    conf_args += [a for path in args.config_dir for a in ("--config-dir", path)]
    conf = make_config(conf_args)
    try:
        err.write("novatx-manage: using the store at %s\n" % (_store(conf),))
        if args.category == "db":
            _db(conf, args, out)
        else:
            from twisted.internet import task
            failures: list[BaseException] = []

            def main(reactor: Any) -> Any:
                d = ensureDeferred(_catalog(conf, args, out))
                return d.addErrback(lambda f: failures.append(f.value))

            try:
                task.react(main)
            except SystemExit as e:
                if e.code:
                    return int(e.code)
            if failures:
                raise failures[0]
    except (NovatxException, StoreUnavailable, db_engine.BadDatabaseURL,
            migrate.SchemaNotCurrent, migrate.PluginMigrationError) as e:
        err.write("novatx-manage: %s\n" % e)
        return 1
    except Exception as e:
        if is_unavailable(e):
            err.write("novatx-manage: cannot use the database at %s: %s\n"
                      % (db_engine.safe_url(db_engine.database_url(conf)), describe(e)))
            return 1
        raise
    return 0


def main() -> None:
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
