"""正在运行的测试服务器：网址 → 库（浏览器页面据此知道去哪个库登录）。单独成一个模块：pytest 把 conftest.py 当作
另一个名字导入，测试文件 from tests.e2e.conftest import … 得到的是第二份；登记表放在这里，两边看到的才是同一份。"""

from __future__ import annotations

from pathlib import Path

SERVERS: dict[str, Path] = {}
PIDS: dict[str, int] = {}  # 网址 → 服务器进程号（量内存用）
