"""app_pages/ 里的页面模块：按文件加载（检出的仓库与装好的轮子里都一样），一个进程只加载一次。
画框（dashboard.py）取页面的 render，服务（webapp.py）取页面的预热函数，用的是同一个模块对象。"""

from __future__ import annotations

import functools
import importlib.util
import sys
from types import ModuleType

from chuangwen import settings


@functools.cache
def load(name: str) -> ModuleType:
    qualified = f"app_pages.{name}"
    if qualified not in sys.modules:
        spec = importlib.util.spec_from_file_location(qualified, settings.APP_ROOT / "app_pages" / f"{name}.py")
        if spec is None or spec.loader is None:
            raise ImportError(f"找不到页面模块 app_pages/{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[qualified] = module
        spec.loader.exec_module(module)
    return sys.modules[qualified]
