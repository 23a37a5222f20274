"""创文看板的画框：页面配置、导航、示例数据横幅、数据截至、共享侧栏；各页在 app_pages/ 中（不叫 pages/：那会触发 Streamlit 旧的多页模式，直接打开页面网址时跳过画框）。"""

from __future__ import annotations

import time

import streamlit as st

from chuangwen import db, demo, settings, sitemap
from chuangwen.escape import md
from chuangwen.ui import data, frame, login
from chuangwen.view import NoData

PAGES = [st.Page(p.file, title=p.title, icon=p.icon, default=p.default) for p in sitemap.PAGES]


def pages_for(viewer) -> list:
    """这个人导航里有的页面，规则在 accounts.PAGE_NEEDS。角色不能用的页面不出现：同一网址登记的是隐藏的“没有权限”页
    （中文说明；原来的页面脚本根本不登记，构造的请求也到不了它）。"""
    return [
        page
        if viewer.may_open(page.title)
        else st.Page("app_pages/forbidden.py", title=page.title, url_path=page.url_path, visibility="hidden")
        for page in PAGES
    ]


def _open_database() -> None:
    path = data.database_path()
    if str(path) == str(settings.DEFAULT_DEMO_DB) and not path.exists():
        with st.spinner("首次启动：正在生成示例县数据（约 45,000 条问题），请稍候……"):
            demo.ensure(path)
    data.pin()
    data.connection()


def main() -> None:
    """一次页面运行：打开库、侧栏口径、导航到当前页。"""
    started = time.perf_counter()
    # 谁在看：WebSocket 握手带来的登录 cookie 指向的服务器端会话（Web 服务器的门已经认过一次，这里每次运行再认）
    identity = login.current()
    st.set_page_config(
        page_title="创文看板", page_icon=frame.favicon(), layout="wide", initial_sidebar_state="expanded"
    )
    frame.chinese_chrome()
    if identity is None:  # 会话已结束：只有一句说明与重新登录的链接，下面的库、侧栏与页面都不运行
        login.ended()
    viewer = identity.viewer
    try:
        _open_database()
        base = frame.context(viewer)
    except (db.DatabaseError, settings.SettingError) as exc:
        st.title("创文看板")
        st.error(f"无法打开数据库：{md(exc)}", icon=":material/block:")
        st.caption(f"数据库路径由环境变量 CHUANGWEN_DB 指定，当前为：{md(data.database_path())}")
        st.stop()
    except NoData:
        frame.first_run(data.database_path())
        st.stop()

    st.sidebar.markdown(f"### 创文看板{base.title_suffix}")
    frame.publish(frame.sidebar(base))  # 本次运行的查看口径：侧栏与网址筛选之后的那一个，各页用 frame.view() 取
    frame.banner(base)
    frame.county_notice(base)
    login.sidebar(viewer, frame.unit_names(base))

    try:
        frame.open_page(st.navigation(pages_for(viewer)))
    finally:
        # 计时钩子：本次运行（画框 + 页面）的脚本耗时，基准脚本读取
        st.session_state["_script_seconds"] = time.perf_counter() - started


# 导入解析的子进程（multiprocessing 的 forkserver）按规矩把入口脚本当 __mp_main__ 重跑一遍：那里只要本文件里的定义，
# 不能打开、升级库或生成示例库，更不画页面
if __name__ != "__mp_main__":
    main()
