from core.config.core_config import resolve_config_dir


def test_explicit_flag_beats_environment_beats_default(monkeypatch, tmp_path):
    monkeypatch.setenv("MARQUEE_CONFIG", str(tmp_path / "from-env"))
    assert resolve_config_dir(tmp_path / "flag") == tmp_path / "flag"
    assert resolve_config_dir() == tmp_path / "from-env"
    monkeypatch.delenv("MARQUEE_CONFIG")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert resolve_config_dir() == tmp_path / "home" / ".marquee"
