"""图片导出（不依赖 streamlit）：plotly 图 → PNG（kaleido 1.x 驱动系统 Chromium，一个常驻导出进程），
以及不需要浏览器的问题热点静态地图（镇街多边形 + 名称 + 问题数，Pillow 绘制，不用瓦片、不联网）。

为什么这样做（docs/pitfalls §4）：
- 每次 `fig.write_image` 都要新起一个 Chrome（约 4 秒）；常驻的 kaleido 同步服务器每张约 0.2 秒。
- MathJax 默认从 CDN 加载，离线时首张图可能卡住几分钟；`pio.defaults.mathjax=False` 会被静默忽略，
  只有 `kaleido.start_sync_server(mathjax=False)` 有效。
- 中文需要 CJK 字体：图里的字体族写 Noto Sans CJK SC（chuangwen.formats.CJK_FONT_FAMILY）。
"""
from __future__ import annotations

import functools
import io
import json
import math
import os
import shutil
import threading
from pathlib import Path
from typing import Iterable

import pandas as pd

from chuangwen import settings

# kaleido 按 BROWSER_PATH 或 PATH 上的这些名字找浏览器
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
INSTALL_HINT = ("导出图片需要 Chromium 浏览器，本机没有找到。请安装后重试："
                "Debian/Ubuntu 运行 `sudo apt-get install chromium fonts-noto-cjk`；"
                "或把已安装的 Chrome/Chromium 可执行文件路径写入环境变量 BROWSER_PATH。")
CJK_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
)
CJK_BOLD_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
)

_lock = threading.Lock()
_call_lock = threading.Lock()
_server_started = False


class PngUnavailable(Exception):
    """本机无法导出 plotly 图片（没有 Chromium）；消息为中文，写明要安装什么。"""


def find_browser() -> str | None:
    """kaleido 会用的浏览器：BROWSER_PATH 优先，否则 PATH 上的 chromium / chrome。"""
    explicit = settings.get("browser_path")
    if explicit:
        return explicit if Path(explicit).is_file() and os.access(explicit, os.X_OK) else None
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def available() -> bool:
    return find_browser() is not None


def _ensure_server() -> None:
    """常驻导出进程只起一次（进程内单例）；MathJax 关闭，免得离线时去 CDN。"""
    global _server_started
    if _server_started:
        return
    with _lock:
        if _server_started:
            return
        browser = find_browser()
        if browser is None:
            raise PngUnavailable(INSTALL_HINT)
        import kaleido

        # choreographer 通过 BROWSER_PATH 找浏览器；找到的是 PATH 上的也显式写上，两处一致
        os.environ.setdefault("BROWSER_PATH", browser)
        kaleido.start_sync_server(mathjax=False, silence_warnings=True)
        _server_started = True


def stop() -> None:
    """关闭常驻导出进程（测试与基准结束时用）。"""
    global _server_started
    with _lock:
        if _server_started:
            import kaleido

            kaleido.stop_sync_server(silence_warnings=True)
            _server_started = False


def figure_png(fig, *, width: int | None = None, height: int | None = None, scale: float = 2) -> bytes:
    """plotly Figure → PNG 字节（默认 2 倍分辨率，适合放进幻灯片）。没有 Chromium 时抛 PngUnavailable。
    同一张图（图的 JSON 与尺寸相同）只渲染一次：结果按内容缓存在本进程里。"""
    layout = fig.layout
    return _png_of_json(fig.to_json(), int(width or layout.width or 900), int(height or layout.height or 450),
                        float(scale))


@functools.lru_cache(maxsize=64)
def _png_of_json(fig_json: str, width: int, height: int, scale: float) -> bytes:
    _ensure_server()
    import kaleido

    opts = {"format": "png", "width": width, "height": height, "scale": scale}
    # kaleido 的同步服务器用一个任务队列和一个结果队列：两个线程同时调用时结果可能互换（先取到别人的图），
    # Streamlit 每个会话一个线程，所以这里一次只放一个请求进去
    with _call_lock:
        return kaleido.calc_fig_sync(json.loads(fig_json), opts=opts)


def naive_figure_png(fig, *, width: int = 900, height: int = 450, scale: float = 2) -> bytes:
    """对照用的朴素做法：每张图单独起一个浏览器（fig.to_image）；只在基准中使用。"""
    return fig.to_image(format="png", width=width, height=height, scale=scale)


# ---------------------------------------------------------------- 静态热点地图（Pillow，不需要浏览器）

MAP_COLORS = ("#FEE5D9", "#FCAE91", "#FB6A4A", "#DE2D26", "#A50F15")
NO_DATA_COLOR = "#ECEFF1"


def cjk_font(size: int, bold: bool = False):
    """Pillow 用的中文字体（Noto Sans CJK）；找不到时退回默认字体（中文会缺字，但图仍能生成）。"""
    from PIL import ImageFont

    for path in (CJK_BOLD_FONT_FILES if bold else ()) + CJK_FONT_FILES:
        if Path(path).exists():
            return ImageFont.truetype(path, size=size, index=2)  # .ttc 第 3 个字面是简体中文（SC）
    return ImageFont.load_default(size=size)


def _breaks(values: Iterable[float], n: int = len(MAP_COLORS)) -> list[float]:
    """等距分段的上界（最小到最大）；全相同或为空时只有一段。"""
    vals = [float(v) for v in values if v is not None and not pd.isna(v)]
    if not vals:
        return []
    low, high = min(vals), max(vals)
    if high <= low:
        return [high]
    step = (high - low) / n
    return [low + step * (i + 1) for i in range(n)]


def _color(value, edges: list[float]) -> str:
    if value is None or pd.isna(value) or not edges:
        return NO_DATA_COLOR
    for i, edge in enumerate(edges):
        if float(value) <= edge + 1e-9:
            return MAP_COLORS[min(i, len(MAP_COLORS) - 1)] if len(edges) > 1 else MAP_COLORS[2]
    return MAP_COLORS[-1]


def _rings(geom) -> list[list[tuple[float, float]]]:
    if geom.geom_type == "Polygon":
        return [list(geom.exterior.coords)]
    if geom.geom_type == "MultiPolygon":
        return [list(p.exterior.coords) for p in geom.geoms]
    return []


def place_labels(labels: list[tuple[float, float, float, float]],
                 area: tuple[float, float, float, float], gap: float = 6) -> list[tuple[float, float] | None]:
    """不重叠地摆放标注：labels 为 (锚点 x, 锚点 y, 宽, 高)，按优先级排好（面积大的镇街在前）。
    依次试锚点处、下方、上方、右侧、左侧、再远一格；都与已摆的重叠（或出了画图区）就不标（返回 None），由调用方另行列出。"""
    placed: list[tuple[float, float, float, float]] = []
    out: list[tuple[float, float] | None] = []
    for x, y, w, h in labels:
        spot = None
        for dx, dy in ((0, 0), (0, h + gap), (0, -h - gap), (w + gap, 0), (-w - gap, 0),
                       (0, 2 * (h + gap)), (0, -2 * (h + gap))):
            box = (x + dx - w / 2, y + dy - h / 2, x + dx + w / 2, y + dy + h / 2)
            inside = box[0] >= area[0] and box[1] >= area[1] and box[2] <= area[2] and box[3] <= area[3]
            if inside and not any(box[0] < b[2] + gap and b[0] < box[2] + gap and box[1] < b[3] + gap
                                  and b[1] < box[3] + gap for b in placed):
                spot = (x + dx, y + dy)
                placed.append(box)
                break
        out.append(spot)
    return out


def hotspot_map_png(boundaries: pd.DataFrame, townships: pd.DataFrame, *, title: str, subtitle: str = "",
                    width: int = 1600, height: int = 1000) -> bytes:
    """镇街分级设色静态图：boundaries 为 hotspot_boundaries 的结果，townships 为 hotspot_townships 的结果
    （按镇街汇总好的问题数）；每个镇街标名称与问题数，右侧图例。不画底图，不联网。"""
    from PIL import Image, ImageDraw
    from shapely import wkb

    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    title_font, label_font, small_font = cjk_font(40, bold=True), cjk_font(24), cjk_font(22)
    draw.text((40, 24), title, font=title_font, fill="#212121")
    if subtitle:
        draw.text((40, 80), subtitle, font=small_font, fill="#546E7A")

    shapes = []
    for row in boundaries.itertuples(index=False):
        if row.geom_wkb is None:
            continue
        geom = wkb.loads(bytes(row.geom_wkb))
        shapes.append((row.code, row.name, row.level, geom))
    towns = [s for s in shapes if s[2] == "镇街"]
    if not shapes:
        draw.text((40, height // 2), "库内没有镇街边界，无法绘制地图。", font=label_font, fill="#B71C1C")
        return _png_bytes(image)

    counts = {str(r.code): r for r in townships.itertuples(index=False)}
    edges = _breaks([getattr(counts.get(c), "problems", None) for c, *_ in towns])
    min_x = min(g.bounds[0] for *_, g in shapes)
    min_y = min(g.bounds[1] for *_, g in shapes)
    max_x = max(g.bounds[2] for *_, g in shapes)
    max_y = max(g.bounds[3] for *_, g in shapes)
    # 经纬度按本地纬度余弦校正后等比缩放，画在左侧区域，右侧留给图例
    kx = math.cos(math.radians((min_y + max_y) / 2))
    area = (40, 130, width - 360, height - 40)
    sx = (area[2] - area[0]) / max((max_x - min_x) * kx, 1e-9)
    sy = (area[3] - area[1]) / max(max_y - min_y, 1e-9)
    s = min(sx, sy)
    ox = area[0] + ((area[2] - area[0]) - (max_x - min_x) * kx * s) / 2
    oy = area[1] + ((area[3] - area[1]) - (max_y - min_y) * s) / 2

    def xy(lon, lat):
        return (ox + (lon - min_x) * kx * s, oy + (max_y - lat) * s)

    for code, name, level, geom in towns:
        row = counts.get(str(code))
        fill = _color(getattr(row, "problems", None), edges)
        for ring in _rings(geom):
            draw.polygon([xy(x, y) for x, y in ring], fill=fill, outline="#FFFFFF")
        for ring in _rings(geom):
            draw.line([xy(x, y) for x, y in ring], fill="#78909C", width=2)
    for code, name, level, geom in shapes:
        if level != "镇街":
            for ring in _rings(geom):
                draw.line([xy(x, y) for x, y in ring], fill="#263238", width=4)
    # 标注（名称与条数）：面积大的镇街先摆；挤不下的挪到旁边并画引线，仍放不下的不标，在图下列出
    texts, anchors, sizes = [], [], []
    for code, name, level, geom in sorted(towns, key=lambda t: -t[3].area):
        row = counts.get(str(code))
        n = int(row.problems) if row is not None and not pd.isna(row.problems) else 0
        point = geom.representative_point()
        cx, cy = xy(point.x, point.y)
        text = f"{name}\n{n} 条"
        box = draw.multiline_textbbox((0, 0), text, font=label_font, anchor="mm", align="center", spacing=2)
        texts.append((name, text))
        anchors.append((cx, cy))
        sizes.append((box[2] - box[0] + 12, box[3] - box[1] + 8))
    spots = place_labels([(x, y, w, h) for (x, y), (w, h) in zip(anchors, sizes)], (area[0], area[1], width - 330, area[3]))
    skipped = []
    for (name, text), (ax, ay), (w, h), spot in zip(texts, anchors, sizes, spots):
        if spot is None:
            skipped.append(name)
            continue
        cx, cy = spot
        if (cx, cy) != (ax, ay):
            edge_y = cy - h / 2 if cy > ay else cy + h / 2 if cy < ay else cy
            draw.line([(ax, ay), (cx if cy != ay else cx - math.copysign(w / 2, cx - ax), edge_y)], fill="#263238", width=2)
            draw.ellipse((ax - 4, ay - 4, ax + 4, ay + 4), fill="#263238")
        draw.rounded_rectangle((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), radius=6, fill="#FFFFFFCC")
        draw.multiline_text((cx, cy), text, font=label_font, fill="#212121", anchor="mm", align="center", spacing=2)
    if skipped:
        draw.text((40, height - 36), f"位置太挤未标注：{'、'.join(skipped)}", font=small_font, fill="#546E7A")

    # 图例
    lx, ly = width - 320, 150
    draw.text((lx, ly), "问题数（条）", font=label_font, fill="#212121")
    lower = min((float(getattr(counts.get(c), "problems", 0) or 0) for c, *_ in towns), default=0)
    steps = edges if len(edges) > 1 else edges[:1]
    for i, edge in enumerate(steps):
        y = ly + 50 + i * 46
        color = MAP_COLORS[i] if len(steps) > 1 else MAP_COLORS[2]
        draw.rectangle((lx, y, lx + 44, y + 32), fill=color, outline="#90A4AE")
        label = f"{math.ceil(lower) if i == 0 else math.floor(steps[i - 1]) + 1}–{math.floor(edge)}"
        draw.text((lx + 60, y + 2), label, font=small_font, fill="#212121")
    y = ly + 50 + len(steps) * 46
    draw.rectangle((lx, y, lx + 44, y + 32), fill=NO_DATA_COLOR, outline="#90A4AE")
    draw.text((lx + 60, y + 2), "无数据", font=small_font, fill="#212121")
    draw.text((lx, y + 60), "按问题登记的所属镇街计数\n不画底图（离线）", font=small_font, fill="#546E7A", spacing=6)
    return _png_bytes(image)


def _png_bytes(image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=False)
    return buf.getvalue()
