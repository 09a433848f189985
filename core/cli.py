"""The `marquee` command: run, check-config, integrations."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from core import __version__
from core.config.check import CheckReport, check_configuration
from core.config.core_config import resolve_config_dir
from core.const import ENV_CONFIG_DIR

EXIT_OK, EXIT_CONFIG = 0, 1


CORE_COMMANDS = ("run", "check-config", "integrations")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="marquee",
        description="Marquee server command line.",
        epilog="Integrations add more commands (for example `marquee scan`); `marquee COMMAND --help` explains each.",
    )
    parser.add_argument("--version", action="version", version=f"marquee {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-c",
        "--config",
        metavar="DIR",
        help=f"configuration directory (default: ${ENV_CONFIG_DIR} or ~/.marquee)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    run = sub.add_parser("run", parents=[common], help="start the server", description="Start the server.")
    run.add_argument("--host", help="listen address (overrides http: host)")
    run.add_argument("--port", type=int, help="listen port (overrides http: port)")
    run.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    sub.add_parser(
        "check-config",
        parents=[common],
        help="validate the configuration and exit",
        description="Validate configuration.yaml and every integration's section; exit 1 on any error.",
    )
    integrations = sub.add_parser(
        "integrations",
        parents=[common],
        help="list integrations and whether they would load",
        description="List every integration Marquee can see, with its source and state.",
    )
    integrations.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and not argv[0].startswith("-") and argv[0] not in CORE_COMMANDS:
        return _integration_command(argv[0], argv[1:])
    args = _parser().parse_args(argv)
    config_dir = resolve_config_dir(args.config)
    if args.command == "run":
        return _run(config_dir, args)
    if args.command == "check-config":
        return _check(config_dir)
    return _integrations(config_dir, as_json=args.json)


def _print_report(report: CheckReport) -> None:
    for issue in report.issues:
        print(f"ERROR {issue}", file=sys.stderr)
    for domain, reason in sorted(report.problems.items()):
        print(f"ERROR Integration '{domain}' can't load: {reason}", file=sys.stderr)


def _check(config_dir: Path) -> int:
    report = check_configuration(config_dir)
    _print_report(report)
    if not report.ok:
        total = len(report.issues) + len(report.problems)
        print(f"Configuration in {config_dir} has {total} error(s).", file=sys.stderr)
        return EXIT_CONFIG
    print(f"Configuration in {config_dir} is valid.")
    print(f"Integrations that would load ({len(report.would_load)}): {', '.join(sorted(report.would_load))}")
    return EXIT_OK


def _integrations(config_dir: Path, *, as_json: bool) -> int:
    report = check_configuration(config_dir)
    if report.discovery is None:
        _print_report(report)
        return EXIT_CONFIG
    rows = []
    for domain, integration in sorted(report.discovery.integrations.items()):
        if domain in report.problems:
            state, reason = "failed", report.problems[domain]
        elif domain in report.would_load:
            state, reason = "would load", None
        elif any(issue.domain == domain for issue in report.issues):
            state, reason = "config error", "; ".join(str(i) for i in report.issues if i.domain == domain)
        else:
            state, reason = (
                "not configured",
                "third-party: add it to configuration.yaml or enable it in the UI",
            )
        manifest = integration.manifest
        rows.append(
            {
                "domain": domain,
                "name": integration.name,
                "version": manifest.version if manifest else None,
                "kind": manifest.kind if manifest else None,
                "source": str(integration.source),
                "state": state,
                "reason": reason,
            }
        )
    for refused, reason in report.discovery.refused:
        rows.append(
            {
                "domain": refused.domain,
                "name": refused.name,
                "source": str(refused.source),
                "state": "refused",
                "reason": reason,
            }
        )
    if as_json:
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    width = max((len(r["domain"]) for r in rows), default=6)
    for row in rows:
        line = f"{row['domain']:<{width}}  {row.get('version') or '-':<8}  {row['source']:<11}  {row['state']}"
        print(line + (f"  ({row['reason']})" if row["reason"] else ""))
    print("(Runtime enable/disable switches are stored in the database; GET /api/v1/integrations shows them.)")
    return EXIT_OK


def _run(config_dir: Path, args: argparse.Namespace) -> int:
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)-7s %(name)s: %(message)s")
    report = check_configuration(config_dir, create=True)
    if report.issues or report.config is None:
        _print_report(report)
        print(
            "Marquee did not start: fix the configuration above (see `marquee check-config`).",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    config = report.config
    if args.host:
        config.http["host"] = args.host
    if args.port is not None:
        config.http["port"] = args.port
    from core.hub import Hub
    from core.server import serve

    hub = Hub(config)
    host = config.http["host"]
    shown = "localhost" if host in ("0.0.0.0", "::", "") else host
    print(f"Marquee {__version__} listening on http://{shown}:{config.http['port']}", flush=True)
    print(f"Configuration: {config.config_file}  Data: {config.data_dir}", flush=True)
    try:
        asyncio.run(serve(hub))
    except KeyboardInterrupt:
        pass
    except Exception as err:
        logging.getLogger("marquee").error("Marquee stopped with an error: %s", err)
        return 2
    return EXIT_OK


def _integration_command(name: str, argv: list[str]) -> int:
    """Run a command an integration provides, inside a headless hub."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-c", "--config", metavar="DIR")
    known, rest = common.parse_known_args(argv)
    logging.basicConfig(level="WARNING", format="%(levelname)-7s %(name)s: %(message)s")
    report = check_configuration(resolve_config_dir(known.config))
    if report.issues or report.config is None:
        _print_report(report)
        return EXIT_CONFIG
    return asyncio.run(_run_integration_command(report, name, rest))


async def _run_integration_command(report: CheckReport, name: str, argv: list[str]) -> int:
    from core.hub import Hub

    assert report.config is not None
    hub = Hub(report.config, headless=True)
    await hub.start()
    try:
        commands = {c.name: c for found in hub.hooks.hook.cli_commands() for c in found}
        command = commands.get(name)
        if command is None:
            available = ", ".join([*CORE_COMMANDS, *sorted(commands)])
            print(f"marquee: unknown command '{name}' (commands: {available})", file=sys.stderr)
            return 2
        parser = argparse.ArgumentParser(prog=f"marquee {name}", description=command.help)
        parser.add_argument("-c", "--config", metavar="DIR", help="configuration directory")
        command.add_arguments(parser)
        try:
            args = parser.parse_args(argv)
        except SystemExit as exit_:  # --help or a usage error
            return int(exit_.code or 0)
        return await command.run(hub, args)
    finally:
        await hub.stop()
