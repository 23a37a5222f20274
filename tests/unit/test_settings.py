"""chuangwen.settings：每项设置都写进 README；环境变量的解析与中文报错。"""

from __future__ import annotations

from pathlib import Path

import pytest

from chuangwen import settings

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize("setting", settings.SETTINGS, ids=lambda s: s.env)
def test_settings_are_documented(setting):
    assert f"`{setting.env}`" in README.read_text(encoding="utf-8")


def test_setting_names_and_env_vars_are_unique():
    assert len({s.name for s in settings.SETTINGS}) == len({s.env for s in settings.SETTINGS}) == len(settings.SETTINGS)


def test_unset_env_var_gives_the_default(monkeypatch):
    monkeypatch.delenv("CHUANGWEN_CACHE_TTL", raising=False)
    assert settings.get("cache_ttl_seconds") == 600


def test_blank_env_var_gives_the_default(monkeypatch):
    monkeypatch.setenv("CHUANGWEN_TARGET_RANK", "  ")
    assert settings.get("target_rank") is None


def test_positive_int_env_var_is_parsed(monkeypatch):
    monkeypatch.setenv("CHUANGWEN_TARGET_RANK", "10")
    assert settings.get("target_rank") == 10


def test_text_env_var_is_stripped(monkeypatch):
    monkeypatch.setenv("CHUANGWEN_OUR_CODE", " 320000-07 ")
    assert settings.get("our_region_code") == "320000-07"


@pytest.mark.parametrize("raw", ["abc", "0", "-3", "1.5"])
def test_bad_positive_int_raises_chinese_setting_error_naming_the_env_var(monkeypatch, raw):
    monkeypatch.setenv("CHUANGWEN_CACHE_TTL", raw)
    with pytest.raises(settings.SettingError) as excinfo:
        settings.get("cache_ttl_seconds")
    assert str(excinfo.value) == f"环境变量 CHUANGWEN_CACHE_TTL 无效：应为正整数，实际为 {raw!r}"


def test_unknown_setting_name_raises_key_error():
    with pytest.raises(KeyError, match="no_such_setting"):
        settings.get("no_such_setting")


def test_the_readme_settings_table_is_the_one_generated_from_the_declarations():
    # 改了 chuangwen/settings.py 的声明却没重新生成时这里失败：运行 python -m chuangwen.settings
    text = README.read_text(encoding="utf-8")
    assert settings.readme_table() in text
    assert text.count(settings.TABLE_BEGIN) == 1


def test_the_generated_table_has_a_row_per_setting_with_its_default(tmp_path):
    table = settings.readme_table().splitlines()
    assert len(table) == len(settings.SETTINGS) + 4  # 两个标记、表头、分隔行
    assert "| `CHUANGWEN_MIN_SAMPLE` | `5` | " in settings.readme_table()
    assert "| `CHUANGWEN_TARGET_RANK` | （空） | " in settings.readme_table()
    readme = tmp_path / "README.md"
    readme.write_text(f"前\n{settings.TABLE_BEGIN}\n| 旧表 |\n{settings.TABLE_END}\n后\n", encoding="utf-8")
    assert settings.write_readme_table(readme) is True
    assert readme.read_text(encoding="utf-8") == f"前\n{settings.readme_table()}\n后\n"
    assert settings.write_readme_table(readme) is False


def test_browser_path_is_a_declared_setting(monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/opt/chrome/chrome")
    assert settings.get("browser_path") == "/opt/chrome/chrome"
