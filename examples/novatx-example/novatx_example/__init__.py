"""
An example novatx plugin; C{docs/extending.md} in novatx walks through it.

It adds:
  - a resource, C{GET /v2.1/example-colours[/<name>]} (L{colours});
  - a stored, per-project resource, C{/v2.1/example-favourites[/<colour>]}
    (L{favourites}), in a table of its own made by its own migrations
    (L{migrations});
  - to servers (L{server_colour}): an extension field C{example:colour} that is
    stored with each server, accepted at create (2.1+) and shown by show and
    detail, and an action C{{"example:describeColour": null}};
  - an EC2 action, C{DescribeInstanceColours} (L{ec2_colours});
  - a vendordata provider, C{ExampleColour}: the colour in each instance's
    C{vendor_data2.json} (L{vendordata}).
"""
