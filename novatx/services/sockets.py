"""
Listening sockets, bound once by the daemon process.

The daemon binds every API's socket itself, before any service starts: a port
in use then stops the start with the API's name, and the same socket can be
adopted by the daemon's own reactor (one process) or handed to worker
processes, which all accept from its one queue.
"""

from __future__ import annotations

import errno
import socket

from twisted.internet.abstract import isIPv6Address

from novatx.services.errors import StartupError
from novatx.services.settings import APISettings

#: Connections the kernel queues for an API while every worker is busy.
BACKLOG = 1024


def bind(api: APISettings) -> socket.socket:
    """
    A non-blocking socket listening on the API's address and port.

    @raise StartupError: the address cannot be bound; names the API and port.
    """
    family = socket.AF_INET6 if isIPv6Address(api.host) else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((api.host, api.port))
        sock.listen(BACKLOG)
    except OSError as e:
        sock.close()
        why = "address already in use" if e.errno == errno.EADDRINUSE else e.strerror
        raise StartupError(
            "cannot listen for the %s API on %s port %d: %s" % (api.name, api.host, api.port, why)
        ) from None
    sock.setblocking(False)
    return sock


def bound_port(sock: socket.socket) -> int:
    """The port a socket is bound to (the one the kernel chose, for port 0)."""
    return sock.getsockname()[1]
