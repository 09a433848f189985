"""`marquee check-config` end to end: a real process, real files, the exact messages people will read."""

import os
import subprocess
import sys

from core.config.check import check_configuration
from tests.conftest import make_plugin


def marquee(*args, config_dir, env=None):
    return subprocess.run(
        [sys.executable, "-m", "core", *args, "--config", str(config_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_valid_config_exits_0_and_lists_integrations(config_dir):
    (config_dir / "configuration.yaml").write_text("core:\n  name: Home\nlogger:\n  default: warning\n")
    result = marquee("check-config", config_dir=config_dir)
    assert result.returncode == 0, result.stderr
    assert "is valid" in result.stdout
    for domain in ("integrations", "logger", "metrics", "system"):
        assert domain in result.stdout


def test_unknown_key_names_file_line_path_valid_options_and_docs(config_dir):
    (config_dir / "configuration.yaml").write_text("core:\n  name: x\nlogger:\n  default: info\n  formt: json\n")
    result = marquee("check-config", config_dir=config_dir)
    assert result.returncode == 1
    assert (
        "Invalid config for 'logger' at configuration.yaml, line 5: 'formt' is an invalid option for 'logger'. "
        "Valid options: default, format, logs. Please check the docs at https://marquee.dev/integrations/logger"
    ) in result.stderr


def test_wrong_type_names_expected_type_and_value(config_dir):
    (config_dir / "configuration.yaml").write_text("http:\n  port: eighty\n")
    result = marquee("check-config", config_dir=config_dir)
    assert result.returncode == 1
    assert "Invalid config for 'http' at configuration.yaml, line 2: expected int for 'http->port' (got 'eighty')" in (
        result.stderr
    )


def test_all_errors_are_collected_not_just_the_first(config_dir):
    (config_dir / "configuration.yaml").write_text(
        "http:\n  port: eighty\n  server: apache\nlogger:\n  default: loud\nnot_a_thing: {}\n"
    )
    report = check_configuration(config_dir)
    lines = sorted(issue.mark.line for issue in report.issues)
    assert lines == [2, 3, 5, 6]
    texts = "\n".join(str(issue) for issue in report.issues)
    assert "value must be one of ['granian', 'hypercorn', 'uvicorn'] for 'http->server' (got 'apache')" in texts
    assert "Integration 'not_a_thing' not found" in texts


def test_unknown_integration_suggests_a_close_name(config_dir):
    (config_dir / "configuration.yaml").write_text("core: {}\nloger:\n  default: info\n")
    result = marquee("check-config", config_dir=config_dir)
    assert result.returncode == 1
    assert "Invalid config at configuration.yaml, line 2: Integration 'loger' not found; did you mean 'logger'?" in (
        result.stderr
    )


def test_malformed_yaml_reports_line_and_column(config_dir):
    (config_dir / "configuration.yaml").write_text("core:\n  name: [unclosed\nhttp: {}\n")
    result = marquee("check-config", config_dir=config_dir)
    assert result.returncode == 1
    assert "Invalid config at configuration.yaml, line 3, column 5: Invalid YAML" in result.stderr


def test_missing_secret_is_reported(config_dir):
    (config_dir / "configuration.yaml").write_text("core:\n  name: !secret server_name\n")
    result = marquee("check-config", config_dir=config_dir)
    assert result.returncode == 1
    assert "line 2" in result.stderr
    assert "Secret 'server_name' not found" in result.stderr


def test_integration_problems_are_reported_with_reasons(config_dir):
    make_plugin(config_dir, "needs_ghost", dependencies=["ghost"])
    make_plugin(config_dir, "too_new", core=">=99.0")
    make_plugin(config_dir, "bad_manifest", version="not a version")
    (config_dir / "configuration.yaml").write_text("needs_ghost: {}\ntoo_new: {}\nbad_manifest: {}\n")
    result = marquee("check-config", config_dir=config_dir)
    assert result.returncode == 1
    assert "Integration 'needs_ghost' can't load: missing dependency: needs_ghost -> ghost (not found)" in result.stderr
    assert "Integration 'too_new' can't load: requires core >=99.0, but this is core 0.1.0" in result.stderr
    assert "'version': 'not a version' is not a valid version" in result.stderr


def test_integrations_command_lists_states(config_dir):
    make_plugin(config_dir, "extra")
    (config_dir / "configuration.yaml").write_text("core: {}\n")
    result = marquee("integrations", "--json", config_dir=config_dir)
    assert result.returncode == 0, result.stderr
    import json

    rows = {row["domain"]: row for row in json.loads(result.stdout)}
    assert rows["system"]["state"] == "would load"
    assert rows["system"]["source"] == "builtin"
    assert rows["extra"]["state"] == "not configured"
    assert rows["extra"]["source"] == "plugins_dir"


def test_help_on_each_command():
    for command in ("run", "check-config", "integrations"):
        result = subprocess.run([sys.executable, "-m", "core", command, "--help"], capture_output=True, text=True)
        assert result.returncode == 0
        assert "--config" in result.stdout


def test_the_shipped_example_configuration_is_valid():
    from pathlib import Path

    report = check_configuration(Path(__file__).parents[3] / "config")
    assert report.ok, [str(i) for i in report.issues] + list(report.problems.values())
    assert report.config.http["port"] == 8096
