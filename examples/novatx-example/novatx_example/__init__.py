"""
An example novatx plugin; C{docs/extending.md} in novatx walks through it.

It adds:
  - a resource, C{GET /v2.1/example-colours[/<name>]} (L{colours});
  - to servers (L{server_colour}): an extension field C{example:colour} that is
    stored with each server, accepted at create (2.1+) and shown by show and
    detail, and an action C{{"example:describeColour": null}}.
"""
