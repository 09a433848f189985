"""A third-party integration installed by pip (entry point `marquee.integrations`) works like a built-in."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parents[1] / "fixtures" / "marquee_hello"


@pytest.fixture(scope="session")
def installed_site(tmp_path_factory):
    """pip-install the package into its own folder, so the test environment itself stays untouched."""
    site = tmp_path_factory.mktemp("site")
    source = tmp_path_factory.mktemp("src") / "marquee_hello"
    shutil.copytree(FIXTURE, source)  # setuptools writes build/ and *.egg-info beside the sources
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(site),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return site


async def test_entry_point_integration_registers_route_and_hook(marquee_hub, installed_site, monkeypatch):
    monkeypatch.syspath_prepend(str(installed_site))
    running = await marquee_hub("hello:\n  greeting: bonjour\n")
    assert (await running.get_json("/api/v1/hello")) == (200, {"greeting": "bonjour"})
    _, info = await running.get_json("/api/v1/system/info")
    assert info["extensions"]["hello"] == {"says": "hello from a pip-installed package"}
    _, rows = await running.get_json("/api/v1/integrations/hello")
    assert rows["source"] == "entry_point"
    assert rows["version"] == "1.2.0"
    assert rows["state"] == "loaded"


async def test_entry_point_integration_is_not_loaded_unless_configured(marquee_hub, installed_site, monkeypatch):
    monkeypatch.syspath_prepend(str(installed_site))
    running = await marquee_hub("core: {}\n")
    assert (await running.get_json("/api/v1/integrations/hello"))[1]["state"] == "not_loaded"
    assert (await running.get_json("/api/v1/hello"))[0] == 404
    # Enabling it through the API loads it now and is remembered.
    assert (await running.post_json("/api/v1/integrations/hello/enable"))[1]["state"] == "loaded"
    assert (await running.get_json("/api/v1/hello")) == (200, {"greeting": "hello"})


def run_cli(*args, site, config_dir):
    return subprocess.run(
        [sys.executable, "-m", "core", *args, "--config", str(config_dir)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(site)},
        timeout=60,
    )


def test_cli_lists_and_validates_the_installed_package(installed_site, config_dir):
    (config_dir / "configuration.yaml").write_text("hello:\n  greeting: hi\n")
    result = run_cli("integrations", "--json", site=installed_site, config_dir=config_dir)
    assert result.returncode == 0, result.stderr
    rows = {row["domain"]: row for row in json.loads(result.stdout)}
    assert rows["hello"]["source"] == "entry_point"
    assert rows["hello"]["state"] == "would load"
    good = run_cli("check-config", site=installed_site, config_dir=config_dir)
    assert good.returncode == 0, good.stderr
    (config_dir / "configuration.yaml").write_text("hello:\n  greting: hi\n")
    bad = run_cli("check-config", site=installed_site, config_dir=config_dir)
    assert bad.returncode == 1
    assert "'greting' is an invalid option for 'hello'. Valid options: greeting" in bad.stderr
    assert "https://example.org/marquee-hello" in bad.stderr
