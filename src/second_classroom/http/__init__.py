"""A reference HTTP service on the library's own API (the ``second-classroom[http]`` extra).

``create_app(service, settings)`` builds the ASGI application; ``second-classroom serve`` runs it
under uvicorn. Modules: ``refusals`` (error codes and HTTP statuses), ``auth`` (who is calling),
``idempotency`` (retried commands), ``commands`` and ``reads`` (the API), ``answers`` (the
plain answers the handlers build), ``openapi`` (the contract and /docs), ``checkin_page``,
``verify_page`` (查证入口), ``notices`` (webhooks and SSE), ``worker`` (views, reactions,
deliveries on a schedule), ``logs`` (JSON lines, request ids), ``app`` (assembly, health),
``serve`` (uvicorn).
"""

from second_classroom.http.app import HttpSettings, create_app
from second_classroom.http.auth import BearerTokens

__all__ = ["BearerTokens", "HttpSettings", "create_app"]
