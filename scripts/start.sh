#!/usr/bin/env bash
# 快速开始：安装并打开示例县看板。参数原样交给 `chuangwen serve`，例如 `bash scripts/start.sh --port 8600`。
# 用 chuangwen serve 启动：监听地址与加固设置都写在命令行上（见 README“服务器设置”）；示例库 data/demo.duckdb 由看板首次启动时生成。
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
# 依赖装的是锁定文件里带散列的确切版本；pyproject.toml 或锁定文件变了才重新安装
# （test.sh 按 requirements-test.lock 装过也算数：它包含运行所需的全部依赖）
WANT="$(cat pyproject.toml requirements.lock | sha256sum | cut -d' ' -f1)"
TESTED="$(cat pyproject.toml requirements-test.lock | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$VENV/.installed-app" 2>/dev/null || true)" != "$WANT" ] \
    && [ "$(cat "$VENV/.installed-test" 2>/dev/null || true)" != "$TESTED" ]; then
    echo "正在安装依赖（锁定文件 requirements.lock，核对散列）……"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --require-hashes -r requirements.lock
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e .
    echo "$WANT" >"$VENV/.installed-app"
fi

# 用 apt-get 装一个安装时要用的 Debian 软件包（root 直接装，否则试免密 sudo）；装不上不报错，由后面说明缺什么
apt_install() {
    local package="$1" why="$2"
    command -v apt-get >/dev/null 2>&1 || return 0
    if [ "$(id -u)" -eq 0 ]; then
        echo "正在用 apt-get 安装 $package（$why）……"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" || true
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        echo "正在用 apt-get 安装 $package（$why）……"
        sudo -n apt-get update -qq && sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" || true
    fi
}

# 地图离线素材（Leaflet 与热力图插件）：安装时经 npm 从软件源取到 static/vendor，已齐全时跳过。
# 没有 npm 时能用 apt-get 就装上；仍失败也照常启动看板（只有问题热点页的地图不可用，页面上有说明）
if ! "$VENV/bin/python" -c 'import sys, chuangwen.assets as a; sys.exit(not a.is_installed())' 2>/dev/null \
    && ! command -v npm >/dev/null 2>&1; then
    apt_install npm "只在安装时用来获取地图离线素材"
fi
"$VENV/bin/python" -m chuangwen.assets \
    || echo "提示：地图离线素材未能准备，问题热点页暂不显示地图（其余页面不受影响）；装好 npm 后重新运行本命令即可。" >&2

# 通报、督办单转 PDF（装了 LibreOffice 时）：公文字体的开源替身（见 README“通报导出页”与 chuangwen/briefing/fonts.conf）；
# 缺了能装就用 apt-get 装上，装不上 PDF 照样生成，只是字体少几种
has_font() { command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list "$1" family 2>/dev/null)" ]; }
if command -v soffice >/dev/null 2>&1; then
    has_font "Noto Serif CJK SC" || apt_install fonts-noto-cjk "通报 PDF 的宋体、小标宋与黑体"
    has_font "AR PL UMing CN" || apt_install fonts-arphic-uming "通报 PDF 的仿宋"
    if ! has_font "LXGW WenKai" && ! has_font "AR PL UKai CN"; then
        apt_install fonts-lxgw-wenkai "通报 PDF 的楷体"
        has_font "LXGW WenKai" || apt_install fonts-arphic-ukai "通报 PDF 的楷体"
    fi
fi

# 多进程（--workers N，N > 1）要 Debian 的 nginx 做反向代理：缺了能装就用 apt-get 装上
WORKERS=1
prev=""
for arg in "$@"; do
    case "$prev" in --workers) WORKERS="$arg" ;; esac
    case "$arg" in --workers=*) WORKERS="${arg#--workers=}" ;; esac
    prev="$arg"
done
if [ "$WORKERS" != "1" ] && ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
    apt_install nginx "多进程模式的反向代理"
fi

echo "首次启动需生成示例数据，请稍候。"
exec "$VENV/bin/chuangwen" serve "$@"
