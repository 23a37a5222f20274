"""`chuangwen serve`：用随产品发布的加固设置启动看板，设置全部写在命令行上，与从哪个目录启动无关。

Streamlit 会读当前目录的 .streamlit/config.toml 和 ~/.streamlit/config.toml；从别处启动时它们可能不在，
也可能是别人放的（监听所有网卡、显示完整堆栈、发送使用统计、关掉静态文件）。命令行参数优先于这两处与
STREAMLIT_* 环境变量，所以这里把每一项都显式传过去。不依赖 streamlit（只拼命令行）。
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from chuangwen import settings
from chuangwen.imports.readers import MAX_BYTES

DASHBOARD = settings.REPO_ROOT / "dashboard.py"


@dataclass(frozen=True)
class Flag:
    option: str
    value: str
    why: str


# 固定的加固设置：不随环境变量改变（README“服务器设置”表逐项说明，测试核对 Streamlit 实际生效的值）
HARDENED: tuple[Flag, ...] = (
    Flag("server.headless", "true", "服务器上不打开浏览器、不询问邮箱"),
    Flag("server.enableStaticServing", "true", "地图脚本等离线素材由应用自己的 static/ 提供（/app/static/）"),
    Flag("server.enableXsrfProtection", "true", "上传文件要带 XSRF 令牌，防止别的网页替用户上传"),
    Flag("server.enableCORS", "true", "只接受本站页面的请求"),
    Flag("server.maxUploadSize", str(MAX_BYTES // (1024 * 1024)),
         "上传上限（MB）与导入程序自己的上限相同；更大的文件在浏览器里就被拒收"),
    Flag("server.fileWatcherType", "none", "生产环境不监视源码变化"),
    Flag("server.runOnSave", "false", "源码变化不自动重跑"),
    Flag("client.showErrorDetails", "none", "出错时不向用户显示堆栈和源码"),
    Flag("client.toolbarMode", "viewer", "菜单里没有“部署”“重新运行”等开发者选项"),
    Flag("browser.gatherUsageStats", "false", "内网运行，不向外发送使用统计"),
    Flag("theme.base", "light", "浅色底，投影清楚"),
    Flag("theme.primaryColor", "#B71C1C", "庄重的深红，正式场合投影也清楚"),
    Flag("theme.font", "sans-serif", "系统无衬线字体（中文为 Noto Sans CJK / 微软雅黑），不取在线字体"),
)


def streamlit_flags(address: str, port: int) -> list[str]:
    """传给 `streamlit run` 的全部设置：监听地址与端口（来自设置）加固定的加固设置。"""
    flags = ["--server.address", address, "--server.port", str(port)]
    for flag in HARDENED:
        flags += [f"--{flag.option}", flag.value]
    return flags


def command(address: str, port: int, python: str = sys.executable, dashboard: Path = DASHBOARD) -> list[str]:
    """启动看板的完整命令行（绝对路径，任何工作目录下都一样）。"""
    return [python, "-m", "streamlit", "run", str(dashboard), *streamlit_flags(address, port)]
