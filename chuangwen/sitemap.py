"""看板的页面：模块、标题、图标与网址，只在这里写一次（画框的导航、登录后回到哪页、推进会翻页都用它）。

网址是书签与分享链接的一部分：改模块名不改网址（tests/unit/test_sitemap.py 核对网址不变）。不依赖 streamlit。
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    module: str  # app_pages/ 里的页面模块（里面的 render(view, viewer) 画这一页）
    title: str
    icon: str
    url_path: str  # 网址里的页面名；默认页另可用根路径 /
    default: bool = False

    @property
    def file(self) -> str:
        """页面模块相对应用根目录的路径。"""
        return f"app_pages/{self.module}.py"


PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview", "总览", ":material/dashboard:", "overview", default=True),
    PageSpec("rank_trend", "排名趋势", ":material/trending_up:", "rank_trend"),
    PageSpec("hotspots", "问题热点", ":material/map:", "hotspots"),
    PageSpec("league", "红黑榜", ":material/military_tech:", "league"),
    PageSpec("supervision", "整改督办", ":material/assignment:", "supervision"),
    PageSpec("loss_risk", "丢分预警", ":material/crisis_alert:", "loss_risk"),
    PageSpec("data_management", "数据管理", ":material/database:", "data_admin"),
    PageSpec("briefing", "通报导出", ":material/slideshow:", "briefing"),
    PageSpec("accounts_audit", "账号与审计", ":material/admin_panel_settings:", "admin"),
)

HOME = PAGES[0]


def by_title(title: str) -> PageSpec:
    return next(p for p in PAGES if p.title == title)


def url_paths() -> frozenset[str]:
    """能直接打开（或登录后回到）的页面网址：根路径与每一页。"""
    return frozenset({"", *(p.url_path for p in PAGES)})
