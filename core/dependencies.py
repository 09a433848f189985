"""Dependency resolution: what must load with what, in which order, and which chains are broken."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from core.loader import Integration


def resolve(
    wanted: Iterable[str], integrations: Mapping[str, Integration], disabled: Iterable[str] = ()
) -> tuple[list[str], dict[str, str]]:
    """Close `wanted` over hard dependencies. Returns (domains to load in dependency order, failures).

    A failure names the chain that broke, e.g. "missing dependency: a -> b -> c (not found)" or
    "dependency cycle: a -> b -> a". Only integrations on a broken chain fail.
    """
    disabled = set(disabled)
    failures: dict[str, str] = {}
    order: list[str] = []
    visiting: list[str] = []
    done: set[str] = set()

    def visit(domain: str) -> str | None:
        """Returns a failure reason for `domain`, or None when it and its dependencies can load."""
        if domain in failures:
            return failures[domain]
        if domain in done:
            return None
        if domain in visiting:
            cycle = [*visiting[visiting.index(domain) :], domain]
            return "dependency cycle: " + " -> ".join(cycle)
        integration = integrations.get(domain)
        if integration is None:
            return "not found"
        if integration.manifest is None:
            return integration.error or "invalid manifest"
        visiting.append(domain)
        reason: str | None = None
        for dependency in integration.manifest.dependencies:
            if dependency in disabled:
                reason = f"dependency '{dependency}' is disabled"
                break
            sub = visit(dependency)
            if sub is not None:
                reason = _chain(domain, dependency, sub)
                break
        visiting.pop()
        if reason is not None:
            failures[domain] = reason
            return reason
        done.add(domain)
        order.append(domain)
        return None

    for domain in sorted(set(wanted)):
        reason = visit(domain)
        if reason is not None:
            failures.setdefault(domain, reason)
    return order, failures


def _chain(domain: str, dependency: str, sub: str) -> str:
    if sub.startswith("dependency cycle"):
        return sub
    if sub == "not found":
        return f"missing dependency: {domain} -> {dependency} (not found)"
    if sub.startswith("missing dependency: "):
        return f"missing dependency: {domain} -> {sub.removeprefix('missing dependency: ')}"
    return f"dependency '{dependency}' can't load ({sub})"


def dependents_of(domain: str, integrations: Mapping[str, Integration]) -> list[str]:
    """Every integration that needs `domain`, directly or not, nearest first."""
    result: list[str] = []
    frontier = [domain]
    while frontier:
        current = frontier.pop(0)
        for other, integration in integrations.items():
            if integration.manifest and current in integration.manifest.dependencies and other not in result:
                result.append(other)
                frontier.append(other)
    return result
