"""结构约束：核心包 chuangwen（chuangwen.ui 除外）不依赖 streamlit。"""
from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "chuangwen"


def core_modules() -> list[str]:
    """chuangwen 下除 chuangwen.ui 以外的全部模块（按文件找，不导入）。"""
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts[:2] != ("chuangwen", "ui"):
            names.append(".".join(parts))
    return names


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)


def test_import_linter_contracts_are_kept():
    # 与命令行 `lint-imports` 相同，规则来自 pyproject.toml；--no-cache 不在仓库里留下缓存目录
    result = run_python("import sys; from importlinter.cli import lint_imports_command; "
                        "sys.argv = ['lint-imports', '--no-cache']; lint_imports_command()")
    assert result.returncode == 0, result.stdout + result.stderr


def test_pyproject_declares_the_streamlit_contract():
    contracts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    forbidden = [c for c in contracts if c["type"] == "forbidden"]
    assert [c["forbidden_modules"] for c in forbidden] == [["streamlit"]]


def test_db_queries_settings_import_without_streamlit():
    result = run_python(
        "import sys; sys.modules['streamlit'] = None\n"
        "import chuangwen.db, chuangwen.queries, chuangwen.settings\n"
        "print('ok')"
    )
    assert (result.returncode, result.stdout.strip()) == (0, "ok"), result.stderr


IMPORT_EACH = """
import importlib, json, sys, traceback
sys.modules["streamlit"] = None
errors = {}
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
        errors[name] = None
    except BaseException:
        errors[name] = traceback.format_exc(limit=4)
print(json.dumps(errors))
"""


@pytest.fixture(scope="module")
def import_errors_without_streamlit() -> dict:
    # 一个子进程依次导入全部核心模块（每个模块一个子进程太慢）
    result = subprocess.run([sys.executable, "-c", IMPORT_EACH, *core_modules()], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", core_modules())
def test_core_module_imports_without_streamlit(import_errors_without_streamlit, module):
    # 动态导入（函数内 import）import-linter 看不到，这里真的导入一次
    assert import_errors_without_streamlit[module] is None, import_errors_without_streamlit[module]
