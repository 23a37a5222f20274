"""在 AppTest 里打开看板（页面测试与基准共用）：AppTest 没有 WebSocket 握手，也就没有登录 cookie；
它自带的 switch_page 只认文件页面，而看板的每一页是画框调用的函数（st.Page(render, url_path=…)）。"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from chuangwen import accounts, signin, sitemap
from chuangwen.ui import login

BENCH_PASSWORD = "Bench-口令-2026-基准"


def switch_page(at: AppTest, page: str) -> AppTest:
    """切到一页，就像在地址栏敲它的网址：page 写页面模块的文件（app_pages/hotspots.py）或网址名（data_admin）。
    Streamlit 按网址名的哈希找页面（st.Page._script_hash），这里照样算。"""
    from streamlit.util import calc_hash

    name = Path(page).stem
    spec = next((p for p in sitemap.PAGES if name in (p.module, p.url_path)), None)
    if spec is None:
        raise ValueError(f"没有这一页：{page}")
    at._page_hash = calc_hash(spec.url_path)
    return at


def sign_in_everywhere(db_path: Path, name: str = "bench-admin", role: str = "管理员") -> str:
    """基准用：这个进程里之后每个 AppTest 都当作带着 name 的登录 cookie（没有账号时先建一个）。返回会话令牌。"""
    if accounts.viewer_named(db_path, name) is None:
        accounts.add(db_path, name, role, BENCH_PASSWORD, units={}, by="基准")
    token = accounts.login(db_path, name, BENCH_PASSWORD, client="基准").token
    login._request_cookies = lambda: {signin.COOKIE: token}
    return token
