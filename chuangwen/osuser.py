"""不是从页面来的操作（命令行、脚本）记在发布记录、审计与导入记录里的“谁”：操作系统用户名。只在这里取一次。

在分层的最底下（只用标准库）：store、statedb、导入、备份与命令行都从这里取，不各写一遍、各有各的退路。
"""

from __future__ import annotations

import getpass
import os


def name() -> str:
    """操作系统用户名；取不到时（容器里的 uid 可能没有对应的用户）用 uid。"""
    try:
        return getpass.getuser()
    except Exception:
        return str(os.getuid())
