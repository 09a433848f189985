"""`marquee check-config`: everything that can be known about a configuration without starting a server."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from core.config.core_config import LoadedConfig, load_config
from core.config.validation import ConfigIssue
from core.config.yaml_loader import ConfigFileError
from core.const import CORE_SECTIONS
from core.dependencies import resolve
from core.loader import Discovery, discover
from core.setup import preflight, validate_integration_config


@dataclass(slots=True)
class CheckReport:
    config: LoadedConfig | None = None
    # Errors in the configuration itself: the server refuses to start while there is one.
    issues: list[ConfigIssue] = field(default_factory=list)
    # Integrations that would fail to load (bad manifest, dependency chain, core range, import error).
    problems: dict[str, str] = field(default_factory=dict)
    would_load: list[str] = field(default_factory=list)
    discovery: Discovery | None = None

    @property
    def ok(self) -> bool:
        return not self.issues and not self.problems


def check_configuration(config_dir: Path, *, create: bool = False) -> CheckReport:
    report = CheckReport()
    try:
        loaded = load_config(config_dir, create=create)
    except ConfigFileError as err:
        report.issues.append(ConfigIssue(message=err.message, mark=err.mark, show_column=True))
        return report
    report.config = loaded
    report.issues.extend(loaded.issues)
    discovery = discover(config_dir, allow_override=frozenset(loaded.core.get("allow_override") or ()))
    report.discovery = discovery
    known = discovery.integrations
    configured = [key for key in loaded.raw if key not in CORE_SECTIONS]
    for key in configured:
        if key not in known:
            message = f"Integration '{key}' not found"
            close = difflib.get_close_matches(str(key), [*known, *CORE_SECTIONS], n=1)
            if close:
                message += f"; did you mean '{close[0]}'?"
            report.issues.append(ConfigIssue(message=message, mark=loaded.raw.key_marks.get(key), path=[key]))
    wanted = discovery.default_domains | {k for k in configured if k in known}
    order, failures = resolve(wanted, known)
    report.problems.update(failures)
    for domain in order:
        integration = known[domain]
        reason = preflight(integration)
        if reason:
            report.problems[domain] = reason
            continue
        try:
            module = integration.import_module()
        except Exception as err:
            report.problems[domain] = f"import failed: {type(err).__name__}: {err}"
            continue
        _, issues = validate_integration_config(integration, module, loaded.raw)
        report.issues.extend(issues)
        if not issues:
            report.would_load.append(domain)
    return report
