"""
The C{[oslo_middleware]} and C{[cors]} options novatx declares are
oslo.middleware's own, so that its C{cors} middleware registers its options on
novatx's config without a conflict.
"""

from __future__ import annotations

from oslo_middleware import cors, http_proxy_to_wsgi, sizelimit
from twisted.trial.unittest import TestCase

from novatx.config import api, make_config


class OsloMiddlewareOptionsTests(TestCase):
    def test_options_equal_oslo_middleware_s(self):
        self.assertEqual(list(sizelimit.OPTS) + list(http_proxy_to_wsgi.OPTS),
                         api.oslo_middleware_opts)
        self.assertEqual(list(cors.OPTS), api.cors_opts)

    def test_oslo_middleware_registers_its_options_on_novatx_s_config(self):
        conf = make_config()
        cors.CORS(None, conf)
        sizelimit.RequestBodySizeLimiter(None, conf)
        http_proxy_to_wsgi.HTTPProxyToWSGI(None, conf)
        self.assertEqual(114688, conf.oslo_middleware.max_request_body_size)
        self.assertEqual(3600, conf.cors.max_age)
