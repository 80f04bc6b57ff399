"""
The daemon's process model: what C{twistd nova} runs.

 - L{novatx.services.tap}: the plugin's options and C{makeService}.
 - L{novatx.services.settings}: the configuration, read and checked once.
 - L{novatx.services.daemon}: the service tree, SIGHUP and SIGTERM.
 - L{novatx.services.api}: one service per enabled API, in process or workers.
 - L{novatx.services.workers}: worker processes sharing an API's socket.
 - L{novatx.services.worker}: the worker process's entry point.
 - L{novatx.services.channel}: the HTTP channel's limits and draining.
 - L{novatx.services.sockets}, L{novatx.services.tls}, L{novatx.services.pool}:
   listening sockets, TLS options, the WSGI thread pool.
 - L{novatx.services.reactor}: the reactor, without its TLS support where
   nothing serves TLS.

It knows nothing of routes: each API's resource tree comes from
L{novatx.resources.loader}.
"""
