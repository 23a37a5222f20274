"""看板的页面：文件、标题、图标与网址，只在这里写一次（画框的导航、登录后回到哪页、推进会翻页都用它）。

网址是书签与分享链接的一部分：改名前想清楚（tests/unit/test_sitemap.py 核对网址不变）。不依赖 streamlit。
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath


@dataclass(frozen=True)
class PageSpec:
    file: str  # 相对应用根目录的页面脚本
    title: str
    icon: str
    default: bool = False

    @property
    def url_path(self) -> str:
        """网址里的页面名（Streamlit 由文件名推出）；默认页另可用根路径 /。"""
        return PurePosixPath(self.file).stem


PAGES: tuple[PageSpec, ...] = (
    PageSpec("app_pages/overview.py", "总览", ":material/dashboard:", default=True),
    PageSpec("app_pages/rank_trend.py", "排名趋势", ":material/trending_up:"),
    PageSpec("app_pages/hotspots.py", "问题热点", ":material/map:"),
    PageSpec("app_pages/league.py", "红黑榜", ":material/military_tech:"),
    PageSpec("app_pages/supervision.py", "整改督办", ":material/assignment:"),
    PageSpec("app_pages/data_admin.py", "数据管理", ":material/database:"),
    PageSpec("app_pages/briefing.py", "通报导出", ":material/slideshow:"),
    PageSpec("app_pages/admin.py", "账号与审计", ":material/admin_panel_settings:"),
)


def url_paths() -> frozenset[str]:
    """能直接打开（或登录后回到）的页面网址：根路径与每一页。"""
    return frozenset({"", *(p.url_path for p in PAGES)})
