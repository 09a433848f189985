"""Prometheus metrics at /metrics: request durations per route template, in-flight requests, integration states."""

from __future__ import annotations

import time
from collections.abc import Iterator

import voluptuous as vol
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.scope import IntegrationScope
from core.setup import State

DOMAIN = "metrics"
CONFIG_SCHEMA = vol.Schema({vol.Optional("path", default="/metrics"): vol.Match(r"^/[a-z0-9/_-]*$")})
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class _RequestMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.duration = Histogram(
            "marquee_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template",
            ["method", "route", "status"],
            registry=registry,
            buckets=BUCKETS,
        )
        self.in_flight = Gauge("marquee_http_requests_in_flight", "HTTP requests being answered", registry=registry)


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: _RequestMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        self.metrics.in_flight.inc()
        try:
            await self.app(scope, receive, capture)
        finally:
            self.metrics.in_flight.dec()
            # The route template (not the raw path) keeps label cardinality bounded.
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self.metrics.duration.labels(scope["method"], route, str(status)).observe(time.perf_counter() - started)


class _IntegrationCollector(Collector):
    def __init__(self, hub: IntegrationScope) -> None:
        self.hub = hub

    def collect(self) -> Iterator[GaugeMetricFamily]:
        states = GaugeMetricFamily(
            "marquee_integration_state", "1 for the state each integration is in", labels=["domain", "state"]
        )
        setup = GaugeMetricFamily(
            "marquee_integration_setup_seconds", "Time each integration took to set up", labels=["domain"]
        )
        for domain, record in self.hub.root.integrations.records.items():
            for state in State:
                states.add_metric([domain, str(state)], 1.0 if record.state is state else 0.0)
            if record.setup_seconds is not None:
                setup.add_metric([domain], record.setup_seconds)
        yield states
        yield setup


async def async_setup(hub: IntegrationScope, config: dict) -> bool:
    registry = CollectorRegistry()
    metrics = _RequestMetrics(registry)
    registry.register(_IntegrationCollector(hub))

    async def expose(request: Request) -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    hub.http.register_middleware(MetricsMiddleware, priority=10, metrics=metrics)
    hub.http.register_route(config["path"], expose, methods=["GET"], permission="manage_server")
    return True
