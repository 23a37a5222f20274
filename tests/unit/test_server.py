"""`chuangwen serve` 的设置与工作目录无关：当前目录里放一份相反的 config.toml，Streamlit 实际生效的仍是我们的。"""

from __future__ import annotations

import subprocess
import sys

from chuangwen import server, settings

HOSTILE_CONFIG = """
[server]
address = "0.0.0.0"
port = 80
enableStaticServing = false
enableXsrfProtection = false
enableCORS = false
maxUploadSize = 2000
fileWatcherType = "poll"
runOnSave = true
headless = false
[client]
showErrorDetails = "full"
toolbarMode = "developer"
[browser]
gatherUsageStats = true
[theme]
base = "dark"
primaryColor = "#00FF00"
font = "monospace"
[runner]
postScriptGC = true
"""


# `streamlit config show` 不列出隐藏的设置（如 runner.postScriptGC）：用同一条命令、同样的参数解析，只把打印换成列出全部设置
_SHOW_ALL = """
import sys
from streamlit import config
from streamlit.web import cli

def show_all():
    for key, option in config._config_options.items():
        value = option.value
        print(f"{key}\t{str(value).lower() if isinstance(value, bool) else value}")

config.show_config = show_all
cli.main(["config", "show", *sys.argv[1:]], standalone_mode=False)
"""


def effective_config(cwd, flags: list[str]) -> dict[str, str]:
    """在 cwd 下运行 `streamlit config show` 加上这些参数，读出每一项实际生效的值（含隐藏的设置）。"""
    out = subprocess.run(
        [sys.executable, "-c", _SHOW_ALL, *flags], cwd=cwd, capture_output=True, text=True, check=True, timeout=120
    ).stdout
    return dict(line.split("\t", 1) for line in out.splitlines() if "\t" in line)


def test_hardened_flags_win_over_a_config_file_in_the_working_folder(tmp_path):
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "config.toml").write_text(HOSTILE_CONFIG, encoding="utf-8")
    got = effective_config(tmp_path, server.streamlit_flags("127.0.0.1", 8600))
    want = {"server.address": "127.0.0.1", "server.port": "8600", **{f.option: f.value for f in server.HARDENED}}
    assert {k: got[k] for k in want} == want


def test_the_hostile_config_would_have_taken_effect_without_the_flags(tmp_path):
    # 反证：不加参数时，当前目录的 config.toml 确实生效（上面的测试才有意义）
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "config.toml").write_text(HOSTILE_CONFIG, encoding="utf-8")
    got = effective_config(tmp_path, [])
    assert (
        got["server.address"],
        got["client.showErrorDetails"],
        got["server.enableStaticServing"],
        got["runner.postScriptGC"],
    ) == ("0.0.0.0", "full", "false", "true")


def test_command_uses_absolute_paths():
    cmd = server.command("127.0.0.1", 8501)
    assert cmd[:4] == [sys.executable, "-m", "streamlit", "run"]
    assert cmd[4] == str(settings.APP_ROOT / "webapp.py") and (settings.APP_ROOT / "webapp.py").is_file()


def test_upload_limit_matches_the_importer_limit():
    from chuangwen.imports.readers import MAX_BYTES

    assert dict((f.option, f.value) for f in server.HARDENED)["server.maxUploadSize"] == str(MAX_BYTES // 2**20)


def test_every_hardened_setting_is_documented_in_the_readme():
    readme = (settings.REPO_ROOT / "README.md").read_text(encoding="utf-8")
    missing = [f.option for f in server.HARDENED if f"| `{f.option}` | `{f.value}` |" not in readme]
    assert missing == []


def test_nginx_config_listens_once_and_sticks_each_browser_to_one_worker(tmp_path):
    conf = server.nginx_config("127.0.0.1", 8501, [8502, 8503], tmp_path, secret="s" * 43)
    assert "listen 127.0.0.1:8501;" in conf
    assert f'proxy_set_header X-Chuangwen-Proxy "{"s" * 43}";' in conf and "Content-Security-Policy" not in conf
    assert "        server 127.0.0.1:8502 max_fails=0;\n        server 127.0.0.1:8503 max_fails=0;" in conf
    assert "hash $cw_worker consistent;" in conf and f"pid {tmp_path}/nginx.pid;" in conf
    assert "client_max_body_size 102m;" in conf  # 导入上限 100 MB，加 2 MB 给表单的其余部分
    assert "{{" not in conf
