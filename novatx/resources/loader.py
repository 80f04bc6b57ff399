"""
From C{api-paste.ini} to one API's resource tree.

L{load_api} asks PasteDeploy for the section named after the API
(C{[composite:osapi_compute]}, C{[composite:ec2]}, C{[composite:metadata]}) of
the file named by C{[wsgi] api_paste_config}, handing the factories the
API's L{Runtime} through C{global_conf}. Whatever comes back (a twisted.web
resource, or a WSGI app that is then mounted) is the tree the API's C{Site}
serves.

The pipeline machinery is imported by L{load_api} only: the daemon's settings
use L{paste_config_path} in a supervising process that builds no tree.
"""

from __future__ import annotations

import configparser
import os

from oslo_config import cfg
from paste.deploy import loadapp
from twisted.web.resource import IResource

from novatx.resources.runtime import GLOBAL_CONF_KEY, Runtime, forget

#: The paste file installed with novatx: nova's layout and names.
PACKAGED_PASTE_CONFIG = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "etc", "api-paste.ini"
)

#: The section kinds PasteDeploy accepts for an app name.
_APP_SECTION_KINDS = ("composite", "composit", "app", "application", "pipeline", "filter-app")


class PasteConfigError(Exception):
    """The paste file is missing, unreadable, or has no section for an API."""


def paste_config_path(conf: cfg.ConfigOpts) -> str:
    """
    The absolute path of the paste file: C{[wsgi] api_paste_config}, a
    relative value being looked up next to the config files (as nova does)
    and then in the working directory; the packaged file without the option.
    """
    try:
        value = conf.wsgi.api_paste_config
    except cfg.NoSuchOptError:
        value = None
    if not value:
        return PACKAGED_PASTE_CONFIG
    if os.path.isabs(value):
        return value
    return os.path.abspath(conf.find_file(value) or value)


def _check_section(path: str, api_name: str) -> None:
    """Fail with a one-line message unless C{path} has a section for C{api_name}."""
    parser = configparser.RawConfigParser(strict=False)
    try:
        with open(path, encoding="utf-8") as f:
            parser.read_file(f)
    except FileNotFoundError:
        raise PasteConfigError(
            "paste config file %s not found (API %s)" % (path, api_name)
        ) from None
    except (OSError, configparser.Error) as e:
        first_line = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise PasteConfigError("paste config file %s unreadable: %s" % (path, first_line)) from None
    if not any(parser.has_section("%s:%s" % (kind, api_name)) for kind in _APP_SECTION_KINDS):
        raise PasteConfigError(
            "paste config file %s has no section [composite:%s] for the API %s"
            % (path, api_name, api_name)
        )


def load_api(runtime: Runtime) -> IResource:
    """
    Build the resource tree of C{runtime.api_name} from the paste file.

    The runtime is registered for the factories only while they run: they
    resolve it at build time, so a reload never leaves an old one behind.

    @raise PasteConfigError: the file is missing or lacks the API's section;
        the message names both.
    """
    from novatx.resources.pipeline import as_resource

    path = paste_config_path(runtime.config)
    _check_section(path, runtime.api_name)
    key = runtime.register()
    try:
        app = loadapp("config:" + path, name=runtime.api_name, global_conf={GLOBAL_CONF_KEY: key})
    except LookupError as e:
        raise PasteConfigError("paste config file %s: %s" % (path, str(e).splitlines()[0])) from e
    finally:
        forget(key)
    return as_resource(app, runtime)
