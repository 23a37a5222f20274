#!/usr/bin/env bash
# 快速开始：安装并打开示例县看板。参数原样交给 `streamlit run`，例如 `bash scripts/start.sh --server.port 8600`。
# 监听地址等设置在 .streamlit/config.toml；示例库 data/demo.duckdb 由看板首次启动时生成。
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"
VENV=.venv

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "错误：需要 Python 3.11 或更高版本（当前 $PYTHON：$("$PYTHON" --version 2>&1 || echo 未找到)）。可用 PYTHON=路径 指定解释器。" >&2
    exit 1
fi
if [ -d "$VENV" ] && ! "$VENV/bin/python" -c '' 2>/dev/null; then
    echo "虚拟环境 $VENV 已损坏（可能 Python 升级过），重新创建……"
    rm -rf "$VENV"
fi
if [ ! -x "$VENV/bin/python" ]; then
    echo "正在创建虚拟环境 $VENV ……"
    "$PYTHON" -m venv "$VENV" || {
        echo "错误：无法创建虚拟环境；Debian/Ubuntu 上请先安装 python3-venv。" >&2
        exit 1
    }
fi
# pyproject.toml 变了才重新安装（test.sh 装过 .[test] 也算数：它包含运行所需的全部依赖）
WANT="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ "$(cat "$VENV/.installed-app" 2>/dev/null || true)" != "$WANT" ] \
    && [ "$(cat "$VENV/.installed-test" 2>/dev/null || true)" != "$WANT" ]; then
    echo "正在安装依赖（pip install -e .）……"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e .
    echo "$WANT" >"$VENV/.installed-app"
fi

# 地图离线素材（Leaflet 与热力图插件）：安装时经 npm 从软件源取到 static/vendor，已齐全时跳过
"$VENV/bin/python" -m chuangwen.assets

echo "创文看板启动中，默认地址 http://127.0.0.1:8501（首次启动需生成示例数据，请稍候）"
exec "$VENV/bin/streamlit" run dashboard.py "$@"
