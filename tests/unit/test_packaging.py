"""发布的轮子能用：从仓库构建轮子，装进一个新的虚拟环境（不是可编辑安装），在仓库之外的目录里
生成示例库、跑每一个查询、打开画框和每一页。依赖借用本仓库 .venv 的 site-packages（只加路径，不处理其中的 .pth，
所以可编辑安装的 chuangwen 不会混进来）。"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_under_chuangwen_is_listed_for_the_wheel():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "chuangwen").rglob("__init__.py")
        if "_app" not in p.parts
    }
    assert found == listed - {"chuangwen._app"}


CHECK = r"""
import os, sys
from datetime import date, datetime, timedelta
from pathlib import Path

import chuangwen
from chuangwen import demo, db, queries, settings

here = Path(chuangwen.__file__).resolve()
assert str(here).startswith(sys.prefix), here                    # 装好的这份，不是仓库里的
assert settings.APP_ROOT == here.parent / "_app", settings.APP_ROOT
assert (settings.APP_ROOT / "webapp.py").is_file()                # chuangwen serve 运行的 Web 服务器
assert settings.DEFAULT_DEMO_DB == Path(os.environ["XDG_DATA_HOME"]) / "chuangwen" / "demo.duckdb"

path = Path(sys.argv[1])
demo.build(path, problems=400)
values = {"TIMESTAMP": datetime(2026, 11, 15, 18, 0), "DATE": date(2026, 11, 15), "INTEGER": 1, "BIGINT": 1,
          "DOUBLE": 1.0, "BOOLEAN": True, "VARCHAR[]": [], "VARCHAR": None, "INTERVAL": timedelta(days=7)}
con = db.open_readonly(path)
ran = 0
for q in queries.all_queries():
    queries.run(con, q.name, {name: values[type_] for name, type_ in q.params})
    ran += 1
con.close()

from streamlit.testing.v1 import AppTest
from chuangwen import accounts, signin
from chuangwen.ui import login
os.environ["CHUANGWEN_DB"] = str(path)
accounts.add(path, "管理员甲", "管理员", "Installed-口令-2026", units={}, by="测试")
token = accounts.login(path, "管理员甲", "Installed-口令-2026").token
login._request_cookies = lambda: {signin.COOKIE: token}      # AppTest 没有握手的 cookie：当作浏览器带着它
at = AppTest.from_file(str(settings.APP_ROOT / "dashboard.py"), default_timeout=120)
at.run()
assert not at.exception, at.exception
titles = [at.title[0].value]
# 每一页是画框调用的函数（st.Page(render, url_path=…)）：按网址名的哈希切页（同 tests/apptest.switch_page）
from streamlit.util import calc_hash
from chuangwen import sitemap
files = {p.stem for p in (settings.APP_ROOT / "app_pages").glob("*.py")} - {"forbidden", "__init__"}
assert files == {p.module for p in sitemap.PAGES}, files
for spec in sitemap.PAGES:
    if spec.default:
        continue  # 总览：上面第一次运行就是它
    at._page_hash = calc_hash(spec.url_path)
    at.run()
    assert not at.exception, (spec.module, at.exception)
    titles.append(at.title[0].value)
print(ran, "|".join(titles))
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    # 从一份干净的副本构建：setuptools 会沿用仓库里旧的 build/ 目录，里面可能还有改名前的文件
    source = work / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "*.egg-info", "artifacts", "__pycache__", "*.duckdb*", ".pytest_cache"
        ),
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(work / "dist"), str(source)],
        check=True,
        cwd=work,
        timeout=600,
    )
    wheel = next((work / "dist").glob("chuangwen-*.whl"))
    env_dir = work / "fresh"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)],
        check=True,
        cwd=work,
        timeout=600,
    )
    site = next(env_dir.glob("lib/python3*/site-packages"))
    deps = [p for p in sys.path if p.endswith("site-packages")]
    (site / "_deps_from_test_venv.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    return python


def test_the_wheel_in_a_fresh_venv_runs_every_query_and_opens_every_page(installed, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "xdg")}
    done = subprocess.run(
        [str(installed), "-c", CHECK, str(outside / "demo.duckdb")],
        cwd=outside,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    ran, titles = done.stdout.strip().splitlines()[-1].split(" ", 1)
    shipped = sorted(p.stem for p in (ROOT / "queries").glob("*.sql") if not p.name.startswith("_"))
    assert int(ran) == len(shipped)
    assert titles.split("|") == [
        "总览 · 澜溪县",
        "排名趋势 · 澜溪县",
        "问题热点",
        "红黑榜",
        "整改督办",
        "丢分预警 · 澜溪县",
        "数据管理",
        "通报导出",
        "账号与审计",
    ]


def test_the_installed_command_line_works_outside_the_repo(installed, tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "xdg")}
    done = subprocess.run(
        [str(installed.parent / "chuangwen"), "init", "--db", str(tmp_path / "new.duckdb")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "new.duckdb").is_file()
