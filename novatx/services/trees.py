"""
Building an API's resource tree: a L{Runtime} for the API, then its paste
composite through L{novatx.resources.loader.load_api}.
"""

from __future__ import annotations

from typing import Any

from oslo_config import cfg
from twisted.web.resource import IResource

from novatx.resources.loader import load_api
from novatx.resources.runtime import Runtime
from novatx.services.errors import StartupError, config_message


def api_reactor(compute_api: Any, reactor: Any) -> Any:
    """
    The reactor an API's tree is given: the controlled clock of behaviours
    when the internal API runs on one (it hands everything but time to the
    reactor), so signature windows, token lifetimes and caches read it too.
    """
    behaviours = getattr(compute_api, "behaviours", None)
    if getattr(behaviours, "controlled", False):
        return behaviours.clock
    return reactor


def build_tree(
    api_name: str, conf: Any, compute_api: Any, reactor: Any, threadpool: Any
) -> tuple[Runtime, IResource]:
    """
    The runtime and resource tree of one API.

    @raise StartupError: the paste file does not build; the message names the
        API and the first line of the cause (for a bad option value, the
        option and the file it came from).
    """
    runtime = Runtime(api_name, conf, compute_api, api_reactor(compute_api, reactor),
                      threadpool=threadpool)
    try:
        tree = load_api(runtime)
    except cfg.Error as e:
        raise StartupError(
            "cannot build the %s API: %s" % (api_name, config_message(e))
        ) from e
    except Exception as e:
        first = (str(e).splitlines() or [""])[0]
        raise StartupError(
            "cannot build the %s API from %s: %s: %s"
            % (api_name, conf.wsgi.api_paste_config, type(e).__name__, first)
        ) from e
    return runtime, tree
