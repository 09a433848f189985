import pytest

from core.config.nodes import NodeDict, locate
from core.config.yaml_loader import ConfigFileError, load_yaml


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_every_key_keeps_file_and_line(config_dir):
    config = load_yaml(write(config_dir / "configuration.yaml", "a:\n  b: 1\n  c:\n    - x\n    - y\n"), config_dir)
    assert isinstance(config, NodeDict)
    assert config.key_marks["a"].line == 1
    assert config["a"].key_marks["c"].line == 3
    assert locate(config, ["a", "c", 1]).line == 5
    assert locate(config, ["a", "b"]).file.name == "configuration.yaml"


def test_secret_is_found_upward_to_the_config_dir(config_dir):
    write(config_dir / "secrets.yaml", "api_key: s3cret\n")
    write(config_dir / "configuration.yaml", "tmdb: !include sub/tmdb.yaml\n")
    write(config_dir / "sub" / "tmdb.yaml", "key: !secret api_key\n")
    assert load_yaml(config_dir / "configuration.yaml", config_dir)["tmdb"]["key"] == "s3cret"


def test_nearest_secrets_file_wins(config_dir):
    write(config_dir / "secrets.yaml", "token: outer\n")
    write(config_dir / "sub" / "secrets.yaml", "token: inner\n")
    write(config_dir / "configuration.yaml", "x: !include sub/x.yaml\n")
    write(config_dir / "sub" / "x.yaml", "t: !secret token\n")
    assert load_yaml(config_dir / "configuration.yaml", config_dir)["x"]["t"] == "inner"


def test_missing_secret_names_file_line_and_where_it_looked(config_dir):
    write(config_dir / "secrets.yaml", "other: 1\n")
    path = write(config_dir / "configuration.yaml", "core:\n  name: x\ntmdb:\n  api_key: !secret tmdb_key\n")
    with pytest.raises(ConfigFileError) as info:
        load_yaml(path, config_dir)
    assert info.value.mark.line == 4
    assert "Secret 'tmdb_key' not found" in str(info.value)
    assert str(config_dir / "secrets.yaml") in str(info.value)


def test_include_dir_named_and_merge_named(config_dir):
    write(config_dir / "libs" / "movies.yaml", "path: /m\n")
    write(config_dir / "libs" / "shows.yaml", "path: /s\n")
    write(config_dir / "merge" / "one.yaml", "a: 1\n")
    write(config_dir / "merge" / "two.yaml", "b: 2\n")
    path = write(
        config_dir / "configuration.yaml",
        "libraries: !include_dir_named libs\nmerged: !include_dir_merge_named merge\n",
    )
    config = load_yaml(path, config_dir)
    assert config["libraries"] == {"movies": {"path": "/m"}, "shows": {"path": "/s"}}
    assert config["merged"] == {"a": 1, "b": 2}
    assert config["merged"].key_marks["b"].file.name == "two.yaml"


def test_env_var_with_and_without_default(config_dir, monkeypatch):
    monkeypatch.setenv("MQ_TEST_PORT", "9000")
    monkeypatch.delenv("MQ_TEST_MISSING", raising=False)
    path = write(config_dir / "configuration.yaml", "a: !env_var MQ_TEST_PORT\nb: !env_var MQ_TEST_MISSING fallback\n")
    assert load_yaml(path, config_dir) == {"a": "9000", "b": "fallback"}
    write(path, "a: !env_var MQ_TEST_MISSING\n")
    with pytest.raises(ConfigFileError, match="Environment variable 'MQ_TEST_MISSING' is not set"):
        load_yaml(path, config_dir)


def test_malformed_yaml_reports_line_and_column(config_dir):
    path = write(config_dir / "configuration.yaml", "core:\n  name: x\n  bad: [1, 2\nhttp: {}\n")
    with pytest.raises(ConfigFileError) as info:
        load_yaml(path, config_dir)
    assert info.value.mark is not None
    assert info.value.mark.line == 4
    assert info.value.mark.column == 5
    assert "configuration.yaml, line 4, column 5: Invalid YAML" in str(info.value)


def test_duplicate_key_is_an_error(config_dir):
    path = write(config_dir / "configuration.yaml", "a: 1\nb: 2\na: 3\n")
    with pytest.raises(ConfigFileError, match=r"Duplicate key 'a' \(first at line 1\)"):
        load_yaml(path, config_dir)


def test_include_outside_config_dir_is_refused(config_dir, tmp_path):
    write(tmp_path / "elsewhere.yaml", "x: 1\n")
    path = write(config_dir / "configuration.yaml", "a: !include ../elsewhere.yaml\n")
    with pytest.raises(ConfigFileError, match="outside the configuration directory"):
        load_yaml(path, config_dir)


def test_missing_include_names_the_file(config_dir):
    path = write(config_dir / "configuration.yaml", "a: !include nope.yaml\n")
    with pytest.raises(ConfigFileError, match="Included file not found") as info:
        load_yaml(path, config_dir)
    assert info.value.mark.line == 1


def test_empty_file_is_an_empty_mapping(config_dir):
    assert load_yaml(write(config_dir / "configuration.yaml", ""), config_dir) == {}
