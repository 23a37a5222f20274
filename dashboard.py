"""创文看板的画框：认人、页面配置、导航、示例数据横幅、数据截至、共享侧栏。每一页是 app_pages/ 里一个模块的
render(view, viewer)：画框每次运行构建口径（view，带着钉住的数据版本）与看页面的人（viewer），作为参数交给它。
（目录不叫 pages/：那会触发 Streamlit 旧的多页模式，直接打开页面网址时跳过画框。）"""

from __future__ import annotations

import streamlit as st

from chuangwen import db, demo, settings, sitemap, store
from chuangwen.escape import md
from chuangwen.ui import data, frame, login, page_modules
from chuangwen.view import NoData, View


def page(spec: sitemap.PageSpec, view: View | None, viewer: frame.Viewer) -> st.Page:
    """导航里的一页：这个人能打开的，运行它自己的 render；不能打开的，同一网址登记隐藏的“没有权限”页（中文说明；
    原来的页面根本不登记，构造的请求也到不了它）。规则在 accounts.PAGE_NEEDS。"""
    here = viewer.on(spec.title)
    if viewer.may_open(spec.title):
        module = page_modules.load(spec.module)
        return st.Page(
            lambda: module.render(view, here),
            title=spec.title,
            icon=spec.icon,
            url_path=spec.url_path,
            default=spec.default,
        )
    forbidden = page_modules.load("forbidden")
    return st.Page(
        lambda: forbidden.render(view, here),
        title=spec.title,
        icon=spec.icon,
        url_path=spec.url_path,
        default=spec.default,
        visibility="hidden",
    )


def open_database() -> store.Snapshot:
    """打开库（内置示例库第一次启动时先生成），钉住这次运行读的数据版本。"""
    path = data.database_path()
    if str(path) == str(settings.DEFAULT_DEMO_DB) and not path.exists():
        with st.spinner("首次启动：正在生成示例县数据（约 45,000 条问题），请稍候……"):
            demo.ensure(path)
    snapshot = data.pin()
    data.connection(snapshot)
    return snapshot


def main() -> None:
    """一次页面运行：认人、打开库、侧栏口径、导航到当前页。"""
    # 谁在看：WebSocket 握手带来的登录 cookie 指向的服务器端会话（Web 服务器的门已经认过一次，这里每次运行再认）
    identity = login.current()
    st.set_page_config(
        page_title="创文看板", page_icon=frame.favicon(), layout="wide", initial_sidebar_state="expanded"
    )
    frame.chinese_chrome()
    if identity is None:  # 会话已结束：只有一句说明与重新登录的链接，下面的库、侧栏与页面都不运行
        login.ended()
        return
    viewer = frame.Viewer(identity)
    try:
        snapshot = open_database()
        base = frame.context(viewer, snapshot)
    except (db.DatabaseError, settings.SettingError) as exc:
        st.title("创文看板")
        st.error(f"无法打开数据库：{md(exc)}", icon=":material/block:")
        st.caption(f"数据库路径由环境变量 CHUANGWEN_DB 指定，当前为：{md(data.database_path())}")
        st.stop()
        return
    except NoData:
        frame.first_run(data.database_path(), page(sitemap.by_title("数据管理"), None, viewer))
        return

    st.sidebar.markdown(f"### 创文看板{base.title_suffix}")
    view = frame.sidebar(base)  # 本次运行的查看口径：侧栏与网址筛选之后的那一个，交给页面
    frame.banner(base)
    current = st.navigation([page(spec, view, viewer) for spec in sitemap.PAGES])
    frame.county_notice(base, viewer.on(current.title))
    login.sidebar(viewer, frame.unit_names(base))
    current.run()


# 导入解析的子进程（multiprocessing 的 forkserver）按规矩把入口脚本当 __mp_main__ 重跑一遍：那里只要本文件里的定义，
# 不能打开、升级库或生成示例库，更不画页面
if __name__ != "__mp_main__":
    main()
