#!/usr/bin/env bash
# 快速开始：安装并运行全部测试。参数原样交给 pytest，例如 `bash scripts/test.sh tests/unit -q`。
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"
VENV=.venv

# 1. 系统软件：浏览器测试与图片导出要 Debian 的 chromium 和中文字体，地图离线素材要 npm，通报渲染要 LibreOffice 与 poppler；缺了能装就用 apt-get 装上
has_cjk_font() { command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh 2>/dev/null)" ]; }
MISSING=()
command -v chromium >/dev/null 2>&1 || MISSING+=(chromium)
has_cjk_font || MISSING+=(fonts-noto-cjk)
# 通报、督办单转 PDF 时公文字体的开源替身（chuangwen/briefing/fonts.conf）：宋体与小标宋用 Noto Serif CJK SC（fonts-noto-cjk），
# 仿宋用 AR PL UMing CN，楷体用霞鹜文楷（较旧的发行版没有这个包时换成 AR PL UKai CN），黑体用 Noto Sans CJK SC
has_font() { command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list "$1" family 2>/dev/null)" ]; }
has_font "Noto Serif CJK SC" || MISSING+=(fonts-noto-cjk)
has_font "AR PL UMing CN" || MISSING+=(fonts-arphic-uming)
{ has_font "LXGW WenKai" || has_font "AR PL UKai CN"; } || MISSING+=(fonts-lxgw-wenkai)
command -v npm >/dev/null 2>&1 || MISSING+=(npm)
# 通报导出的渲染测试：LibreOffice 把幻灯片转成 PDF，poppler 的 pdftoppm/pdffonts 出图并查字体
command -v soffice >/dev/null 2>&1 || MISSING+=(libreoffice-impress)
# Word 通报转 PDF 要 LibreOffice 的文字处理部分
[ -e /usr/lib/libreoffice/program/libswlo.so ] || MISSING+=(libreoffice-writer)
command -v pdftoppm >/dev/null 2>&1 || MISSING+=(poppler-utils)
# 多进程模式（chuangwen serve --workers N）的反向代理
{ command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } || MISSING+=(nginx)
if [ "${#MISSING[@]}" -gt 0 ]; then
    if command -v apt-get >/dev/null 2>&1; then
        if [ "$(id -u)" -eq 0 ]; then
            SUDO=()
        elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            SUDO=(sudo -n)
        else
            SUDO=(none)
        fi
        if [ "${SUDO[*]-}" != none ]; then
            echo "正在用 apt-get 安装：$(printf '%s\n' "${MISSING[@]}" | sort -u | tr '\n' ' ')……"
            "${SUDO[@]}" apt-get update -qq
            # 同一个包只装一次；没有霞鹜文楷的发行版换成文鼎楷体
            PACKAGES=()
            for p in $(printf '%s\n' "${MISSING[@]}" | sort -u); do
                if [ "$p" = fonts-lxgw-wenkai ] && ! apt-cache show fonts-lxgw-wenkai >/dev/null 2>&1; then
                    p=fonts-arphic-ukai
                fi
                PACKAGES+=("$p")
            done
            "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${PACKAGES[@]}"
        else
            echo "提示：缺少 ${MISSING[*]}，但没有 root 权限或免密 sudo，跳过安装；相关测试可能失败。" >&2
        fi
    else
        echo "提示：缺少 ${MISSING[*]}，且本机没有 apt-get，请自行安装；相关测试可能失败。" >&2
    fi
fi

# 2. 仓库内的虚拟环境；pyproject.toml 没变时不重复安装
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
STAMP="$VENV/.installed-test"
WANT="$(cat pyproject.toml requirements-test.lock | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null || true)" != "$WANT" ]; then
    echo "正在安装依赖（锁定文件 requirements-test.lock，核对散列）……"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --require-hashes -r requirements-test.lock
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e .
    echo "$WANT" >"$STAMP"
fi

# 地图离线素材（Leaflet 与热力图插件）：安装时经 npm 从软件源取到 static/vendor，已齐全时跳过
"$VENV/bin/python" -m chuangwen.assets

# 3. 浏览器测试用系统的 chromium，不另外下载浏览器
if [ -z "${CHUANGWEN_BROWSER:-}" ] && [ -x /usr/bin/chromium ]; then
    export CHUANGWEN_BROWSER=/usr/bin/chromium
fi

# 4. 静态检查：风格与常见错误（ruff）、格式（ruff format）、类型（mypy，只查 chuangwen/）、分层（import-linter）；
#    只给了 pytest 参数（如只跑某个文件）时也照样检查：都只要几秒
echo "静态检查：ruff、ruff format、mypy、import-linter……"
"$VENV/bin/ruff" check --quiet .
"$VENV/bin/ruff" format --check --quiet .
"$VENV/bin/mypy" chuangwen
"$VENV/bin/lint-imports" --no-cache >/dev/null

# 5. 运行 pytest；一个测试都没收集到（退出码 5）也算失败
set +e
"$VENV/bin/python" -m pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
    echo "错误：没有收集到任何测试。" >&2
    exit 1
fi
exit "$rc"
