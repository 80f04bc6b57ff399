"""Policy defaults of the compute API's image proxy (nova has none but authentication)."""

from __future__ import annotations

from novatx.extensions.compute.policies._rules import ANYONE, rules

IMAGES = "os_compute_api:images"
IMAGE_SERVICE = "novatx:image"

RULES = rules((IMAGES, ANYONE, "Use the compute API's image proxy (up to 2.35)."))
IMAGE_SERVICE_RULES = rules((IMAGE_SERVICE, ANYONE, "Read the image service subset under /image."))
