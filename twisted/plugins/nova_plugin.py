"""
The C{nova} plugin of C{twistd}: C{twistd -n nova --config-file nova.conf}.

It only names where the service comes from; C{twistd --help} imports this
module, so it imports nothing of novatx.
"""

from twisted.application.service import ServiceMaker

novatx = ServiceMaker(
    "novatx",
    "novatx.services.tap",
    "Nova's compute, EC2 and metadata APIs on Twisted",
    "nova",
)
