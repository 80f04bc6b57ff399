"""
The extensions installed beside novatx by other packages, for a blacklist.

    python suite_plugins.py NAMESPACE...

prints, comma-separated, the entry point names of these namespaces that a distribution
other than novatx declares (the example plugin of examples/, an operator's own). The
suites judge what this project serves: a plugin's extra server fields would break the
suites' strict response schemas, so the suite scripts blacklist them.
"""

from __future__ import annotations

import sys
from importlib.metadata import entry_points


def main() -> None:
    names = sorted({entry.name for namespace in sys.argv[1:]
                    for entry in entry_points(group=namespace)
                    if entry.dist is None or entry.dist.name != "novatx"})
    print(",".join(names))


if __name__ == "__main__":
    main()
