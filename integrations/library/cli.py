"""`marquee scan [LIBRARY] [--full]`: scan from the command line with a progress bar."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from core.commands import CliCommand
from integrations.library.const import EVENT_SCAN_PROGRESS

if TYPE_CHECKING:
    from core.bus import Event
    from core.hub import Hub


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("library", nargs="?", help="library name or id (default: every library)")
    parser.add_argument("--full", action="store_true", help="re-read every file, not only new and changed ones")


async def _run(hub: Hub, args: argparse.Namespace) -> int:
    service: Any = hub.__dict__.get("library")
    if service is None:
        print("The library integration is not loaded; see `marquee integrations`.", file=sys.stderr)
        return 1
    libraries = await service.store.list()
    if args.library:
        wanted = args.library.casefold()
        libraries = [lib for lib in libraries if wanted in (lib.name.casefold(), lib.id)]
        if not libraries:
            print(f"No library named '{args.library}'.", file=sys.stderr)
            return 1
    if not libraries:
        print("No libraries configured yet. Add one in configuration.yaml or with POST /api/v1/libraries.")
        return 0
    failed = 0
    for library in libraries:
        bar = tqdm(total=0, unit="file", desc=library.name, disable=None, dynamic_ncols=True)

        def update(event: Event, bar: tqdm = bar, library_id: str = library.id) -> None:
            data = event.data
            if data["library_id"] == library_id and data["phase"] == "analysing":
                bar.total = data["total"]
                bar.update(data["done"] - bar.n)

        unsubscribe = hub.bus.listen(EVENT_SCAN_PROGRESS, update)
        try:
            report = await service.scanner.scan(library, full=args.full)
        finally:
            unsubscribe()
            bar.close()
        failed += report.failed
        print(
            f"{library.name}: {report.added} added, {report.updated} updated, {report.moved} moved, "
            f"{report.removed} removed, {report.failed} failed, {report.unchanged} unchanged in {report.seconds:.2f} s"
        )
        for failure in report.failures:
            print(f"  skipped {failure['path']}: {failure['reason']}")
    return 0


SCAN_COMMAND = CliCommand("scan", "Scan media libraries for new, changed, moved and removed files.", _arguments, _run)
