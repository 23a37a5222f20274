#!/usr/bin/env bash
# 重新生成锁定文件（改了 pyproject.toml 的依赖之后运行一次，连同锁定文件一起提交）：
#   requirements.lock       运行看板要的全部包，确切版本与 SHA-256（start.sh 用它）
#   requirements-test.lock  再加测试与静态检查要的（test.sh 用它）
# 用 pip-tools 的 pip-compile（装在一个临时的虚拟环境里，不进项目的 .venv）。
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON="${PYTHON:-python3}"
TOOLS="$(mktemp -d)"
trap 'rm -rf "$TOOLS"' EXIT
"$PYTHON" -m venv "$TOOLS"
"$TOOLS/bin/python" -m pip install -q --disable-pip-version-check "pip-tools>=7.4"
COMPILE=("$TOOLS/bin/pip-compile" --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url
         --no-emit-find-links --resolver=backtracking)
"${COMPILE[@]}" --output-file requirements.lock pyproject.toml
"${COMPILE[@]}" --extra test --output-file requirements-test.lock pyproject.toml
echo "锁定文件已更新：requirements.lock、requirements-test.lock"
