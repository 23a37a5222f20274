"""图片导出（不依赖 streamlit）：plotly 图 → PNG（kaleido 1.x 驱动系统 Chromium，一个常驻导出进程），
以及不需要浏览器的问题热点静态地图（镇街多边形 + 名称 + 问题数，Pillow 绘制，不用瓦片、不联网）。

为什么这样做（docs/pitfalls §4）：
- 每次 `fig.write_image` 都要新起一个 Chrome（约 4 秒）；常驻的一个 kaleido 浏览器每张约 0.2 秒。
- MathJax 默认从 CDN 加载，离线时首张图可能卡住几分钟；`pio.defaults.mathjax=False` 会被静默忽略，
  只有构造 kaleido 时给 `mathjax=False`（`kaleido.Kaleido(mathjax=False)`，同步服务器也是传给它）有效。
- 中文需要 CJK 字体：图里的字体族写 Noto Sans CJK SC（chuangwen.formats.CJK_FONT_FAMILY）。
- 常驻的浏览器会死（被 OOM 杀掉、崩溃）或卡住：每一次等待都有时限（设置 CHUANGWEN_PNG_TIMEOUT），
  死了下一次导出自动重起，卡住的整组杀掉后重起，报错都是中文（issue 27）。
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import functools
import io
import json
import math
import os
import re
import shutil
import signal
import subprocess
import threading
from collections.abc import Coroutine, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd

from chuangwen import settings

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from PIL import Image, ImageFont
    from shapely.geometry.base import BaseGeometry

T = TypeVar("T")

# kaleido 按 BROWSER_PATH 或 PATH 上的这些名字找浏览器
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
INSTALL_HINT = (
    "导出图片需要 Chromium 浏览器，本机没有找到。请安装后重试："
    "Debian/Ubuntu 运行 `sudo apt-get install chromium fonts-noto-cjk`；"
    "或把已安装的 Chrome/Chromium 可执行文件路径写入环境变量 BROWSER_PATH。"
)
CJK_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
)
CJK_BOLD_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
)

# 起一个导出进程（2 核机器上冷启动约 4 秒）最多等多久：超过就当起不来，并说明原因
START_SECONDS = 60
# 关掉出了事的导出进程（整组 SIGKILL，再让 kaleido 收拾临时目录）每一步最多等多久
STOP_SECONDS = 10

_lock = threading.Lock()  # 起、换、停导出进程与每一次渲染都在这把锁里：一次只画一张
_renderer: _Renderer | None = None
_server_started = False  # 导出进程已起且还没关；为 False 时下一次渲染先（重新）起一个


class PngUnavailable(Exception):
    """本机无法导出 plotly 图片（没有 Chromium、缺 kaleido、浏览器起不来）；消息为中文，写明缺什么。"""


class RenderFailed(PngUnavailable):
    """这一次没画成（超时，或浏览器中途退出、重启后仍不成）；消息为中文。出事的导出进程已关掉，下一次导出重新起一个。
    是 PngUnavailable 的一种：通报照旧改用原生图，并把这句话写进说明。"""


KALEIDO_HINT = (
    "导出图片需要 Python 包 kaleido，本环境没有安装。请运行 `pip install kaleido`"
    "（或按本产品的依赖清单重新安装）后重试。"
)
_MISSING_LIBRARY = re.compile(r"error while loading shared libraries: ([^:\s]+)")


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


class _Renderer:
    """一个常驻的 kaleido 浏览器（Chromium）和专门驱动它的事件循环线程；别的线程把一张图交给它、限时等结果。

    不用 kaleido 自带的同步服务器（kaleido.start_sync_server）：它等结果没有时限，Chromium 一死，它的任务线程也跟着没了，
    之后每次导出都永远等下去（issue 27）。这里每次等待都有上限，出事就整组杀掉、下一次重起。"""

    def __init__(self, browser: str):
        self.browser = browser
        self.kaleido: Any = None  # kaleido.Kaleido，open() 之后才有；kaleido 没有类型信息
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="chuangwen-png", daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], seconds: float) -> T:
        """在本导出进程的事件循环里执行，最多等 seconds 秒（超时抛 TimeoutError 并取消它）。"""
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            return future.result(timeout=seconds)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise

    def open(self) -> None:
        import kaleido

        async def opened() -> None:
            # MathJax 关闭，免得离线时去 CDN（pitfalls §4）；每张图的时限由 run() 管，kaleido 自己不再限
            self.kaleido = kaleido.Kaleido(path=self.browser, mathjax=False, timeout=None)
            await self.kaleido.open()

        self.run(opened(), START_SECONDS)

    def png(self, fig: dict, opts: dict, seconds: float) -> bytes:
        return self.run(self.kaleido.calc_fig(fig, opts=opts), seconds)

    def alive(self) -> bool:
        """浏览器进程还在（kaleido 起的是 choreographer 的包装进程，Chromium 一退它随即退出）。"""
        process = getattr(self.kaleido, "subprocess", None)
        return self.thread.is_alive() and process is not None and process.poll() is None

    def close(self) -> None:
        """关掉：卡住的浏览器不理会正常关闭，所以先 SIGKILL 整个进程组（包装进程起浏览器时另开了会话，组号就是它的进程号；
        只在它还没被收尸时发，免得进程号已被别人重用），再让 kaleido 收拾临时目录，最后停事件循环。每一步都限时。"""
        process = getattr(self.kaleido, "subprocess", None)
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(STOP_SECONDS)
        if self.kaleido is not None and self.thread.is_alive():
            with contextlib.suppress(Exception):
                self.run(self.kaleido.close(), STOP_SECONDS)
        if self.thread.is_alive():
            with contextlib.suppress(Exception):
                self.run(_cancel_the_rest(), STOP_SECONDS)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(STOP_SECONDS)
        if not self.thread.is_alive():
            self.loop.close()


async def _cancel_the_rest() -> None:
    """停事件循环之前，取消并等完它上面剩下的任务（choreographer 的看门狗等），不留下挂着的任务。"""
    rest = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in rest:
        task.cancel()
    await asyncio.gather(*rest, return_exceptions=True)


def _start_failure(browser: str, exc: BaseException) -> str:
    """浏览器起不来时的中文说明：单独运行一次 `浏览器 --version`，缺系统库时写出库名。"""
    reason = (
        f"{START_SECONDS} 秒内没有就绪" if isinstance(exc, TimeoutError) else f"启动后随即退出（{type(exc).__name__}）"
    )
    try:
        done = subprocess.run([browser, "--version"], capture_output=True, text=True, errors="replace", timeout=15)
        said = f"{done.stderr}\n{done.stdout}"
        missing = _MISSING_LIBRARY.search(said)
        if missing:
            reason = (
                f"缺少它运行所需的系统库 {missing.group(1)}"
                "（Debian/Ubuntu 上运行 `sudo apt-get install chromium fonts-noto-cjk` 会一并装好）"
            )
        elif done.returncode != 0:
            last = next((line.strip() for line in reversed(said.splitlines()) if line.strip()), "")
            reason = f"它不能运行（`{browser} --version` 退出码 {done.returncode}：{last[:200]}）"
    except (OSError, subprocess.TimeoutExpired) as probe:
        reason = f"它不能运行（{type(probe).__name__}）"
    return (
        f"导出图片用的浏览器没能启动：{browser}，{reason}。请在服务器上运行 "
        f"`{browser} --headless --no-sandbox --dump-dom about:blank` 查看原因；"
        "环境变量 BROWSER_PATH 须指向 Chrome/Chromium 本身。"
    )


def _discard() -> None:
    """关掉当前的导出进程（在 _lock 里调用）；下一次渲染重新起。"""
    global _renderer, _server_started
    renderer, _renderer, _server_started = _renderer, None, False
    if renderer is not None:
        renderer.close()


def _ensure_renderer() -> _Renderer:
    """活着的导出进程（在 _lock 里调用）：没有或已死就起一个新的；起不来抛 PngUnavailable，写明缺什么。"""
    global _renderer, _server_started
    if _server_started and _renderer is not None and _renderer.alive():
        return _renderer
    _discard()
    browser = find_browser()
    if browser is None:
        raise PngUnavailable(INSTALL_HINT)
    try:
        import kaleido  # noqa: F401
    except ImportError:
        raise PngUnavailable(KALEIDO_HINT) from None
    renderer = _Renderer(browser)
    try:
        renderer.open()
    except Exception as exc:
        renderer.close()
        raise PngUnavailable(_start_failure(browser, exc)) from exc
    _renderer, _server_started = renderer, True
    return renderer


def _browser_died(exc: Exception, renderer: _Renderer) -> bool:
    """这次失败是不是因为浏览器没了：管道已关、浏览器已关，或 kaleido 关浏览器时取消了这一张。"""
    from choreographer.errors import BrowserClosedError, BrowserFailedError, ChannelClosedError

    dead = (ChannelClosedError, BrowserClosedError, BrowserFailedError, concurrent.futures.CancelledError)
    return isinstance(exc, dead) or not renderer.alive()


def stop() -> None:
    """关闭常驻导出进程（测试与基准结束时用；下一次导出会重新起）。"""
    with _lock:
        _discard()


def _stop_at_exit() -> None:
    # 退出时正有一张在画（锁被占着）就不等了：浏览器读到管道关闭会自己退出
    if _lock.acquire(timeout=1):
        try:
            _discard()
        finally:
            _lock.release()


atexit.register(_stop_at_exit)


def figure_png(fig: go.Figure, *, width: int | None = None, height: int | None = None, scale: float = 2) -> bytes:
    """plotly Figure → PNG 字节（默认 2 倍分辨率，适合放进幻灯片）。
    没有 Chromium、缺 kaleido 或浏览器起不来时抛 PngUnavailable；超时或浏览器中途退出时抛 RenderFailed（它的一种），
    消息都是中文。同一张图（图的 JSON 与尺寸相同）只渲染一次：结果按内容缓存在本进程里。"""
    layout = fig.layout
    return _png_of_json(
        fig.to_json(), int(width or layout.width or 900), int(height or layout.height or 450), float(scale)
    )


@functools.lru_cache(maxsize=64)
def _png_of_json(fig_json: str, width: int, height: int, scale: float) -> bytes:
    return _render(json.loads(fig_json), {"format": "png", "width": width, "height": height, "scale": scale})


def _render(fig: dict, opts: dict) -> bytes:
    """画一张，最多等“导出图片时限”秒：导出进程死了先重起；画到一半浏览器退出就换一个再画一次；
    超时就关掉它（下一次重起）并报中文错误。Streamlit 每个会话一个线程，多个会话同时导出时在锁前排队，排队也限时。"""
    seconds = settings.get("png_timeout_seconds")
    if not _lock.acquire(timeout=seconds):
        raise RenderFailed(f"导出图片排队超时：前面的图 {seconds} 秒内还没画完，请稍后再试。")
    try:
        for attempt in (1, 2):
            renderer = _ensure_renderer()
            try:
                return renderer.png(fig, opts, seconds)
            except TimeoutError:
                _discard()
                raise RenderFailed(
                    f"导出图片超时（{seconds} 秒）：浏览器在时限内没有画完这张图，已把它关掉，"
                    "下一次导出会重新启动它，请再试一次。反复超时请管理员检查服务器是否过忙，"
                    "或调大导出图片的时限设置。"
                ) from None
            except Exception as exc:
                if not _browser_died(exc, renderer):
                    raise RenderFailed(f"导出图片失败：浏览器画这张图时出错（{type(exc).__name__}：{exc}）。") from exc
                _discard()
                if attempt == 2:
                    raise RenderFailed(
                        "导出图片失败：导出用的浏览器（Chromium）意外退出，重新启动后仍没有画成。"
                        "请再试一次；反复出现时请管理员检查服务器内存是否够用。"
                    ) from exc
        raise AssertionError("unreachable")
    finally:
        _lock.release()


# ---------------------------------------------------------------- 静态热点地图（Pillow，不需要浏览器）

MAP_COLORS = ("#FEE5D9", "#FCAE91", "#FB6A4A", "#DE2D26", "#A50F15")
NO_DATA_COLOR = "#ECEFF1"


def cjk_font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow 用的中文字体（Noto Sans CJK）；找不到时退回默认字体（中文会缺字，但图仍能生成）。"""
    from PIL import ImageFont

    for path in (CJK_BOLD_FONT_FILES if bold else ()) + CJK_FONT_FILES:
        if Path(path).exists():
            return ImageFont.truetype(path, size=size, index=2)  # .ttc 第 3 个字面是简体中文（SC）
    return ImageFont.load_default(size=size)


def _breaks(values: Iterable[float | None], n: int = len(MAP_COLORS)) -> list[float]:
    """等距分段的上界（最小到最大）；全相同或为空时只有一段。"""
    vals = [float(v) for v in values if v is not None and not pd.isna(v)]
    if not vals:
        return []
    low, high = min(vals), max(vals)
    if high <= low:
        return [high]
    step = (high - low) / n
    return [low + step * (i + 1) for i in range(n)]


def _color(value: float | None, edges: list[float]) -> str:
    if value is None or pd.isna(value) or not edges:
        return NO_DATA_COLOR
    for i, edge in enumerate(edges):
        if float(value) <= edge + 1e-9:
            return MAP_COLORS[min(i, len(MAP_COLORS) - 1)] if len(edges) > 1 else MAP_COLORS[2]
    return MAP_COLORS[-1]


def _rings(geom: BaseGeometry) -> list[list[tuple[float, float]]]:
    if geom.geom_type == "Polygon":
        return [list(geom.exterior.coords)]
    if geom.geom_type == "MultiPolygon":
        return [list(p.exterior.coords) for p in geom.geoms]
    return []


def place_labels(
    labels: list[tuple[float, float, float, float]], area: tuple[float, float, float, float], gap: float = 6
) -> list[tuple[float, float] | None]:
    """不重叠地摆放标注：labels 为 (锚点 x, 锚点 y, 宽, 高)，按优先级排好（面积大的镇街在前）。
    依次试锚点处、下方、上方、右侧、左侧、再远一格；都与已摆的重叠（或出了画图区）就不标（返回 None），由调用方另行列出。"""
    placed: list[tuple[float, float, float, float]] = []
    out: list[tuple[float, float] | None] = []
    for x, y, w, h in labels:
        spot = None
        for dx, dy in (
            (0, 0),
            (0, h + gap),
            (0, -h - gap),
            (w + gap, 0),
            (-w - gap, 0),
            (0, 2 * (h + gap)),
            (0, -2 * (h + gap)),
        ):
            box = (x + dx - w / 2, y + dy - h / 2, x + dx + w / 2, y + dy + h / 2)
            inside = box[0] >= area[0] and box[1] >= area[1] and box[2] <= area[2] and box[3] <= area[3]
            if inside and not any(
                box[0] < b[2] + gap and b[0] < box[2] + gap and box[1] < b[3] + gap and b[1] < box[3] + gap
                for b in placed
            ):
                spot = (x + dx, y + dy)
                placed.append(box)
                break
        out.append(spot)
    return out


def hotspot_map_png(
    boundaries: pd.DataFrame,
    townships: pd.DataFrame,
    *,
    title: str,
    subtitle: str = "",
    width: int = 1600,
    height: int = 1000,
) -> bytes:
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

    for code, _name, _level, geom in towns:
        row = counts.get(str(code))
        fill = _color(getattr(row, "problems", None), edges)
        for ring in _rings(geom):
            draw.polygon([xy(x, y) for x, y in ring], fill=fill, outline="#FFFFFF")
        for ring in _rings(geom):
            draw.line([xy(x, y) for x, y in ring], fill="#78909C", width=2)
    for _code, _name, level, geom in shapes:
        if level != "镇街":
            for ring in _rings(geom):
                draw.line([xy(x, y) for x, y in ring], fill="#263238", width=4)
    # 标注（名称与条数）：面积大的镇街先摆；挤不下的挪到旁边并画引线，仍放不下的不标，在图下列出
    texts, anchors, sizes = [], [], []
    for code, name, _level, geom in sorted(towns, key=lambda t: -t[3].area):
        row = counts.get(str(code))
        n = int(row.problems) if row is not None and not pd.isna(row.problems) else 0
        point = geom.representative_point()
        cx, cy = xy(point.x, point.y)
        text = f"{name}\n{n} 条"
        box = draw.multiline_textbbox((0, 0), text, font=label_font, anchor="mm", align="center", spacing=2)
        texts.append((name, text))
        anchors.append((cx, cy))
        sizes.append((box[2] - box[0] + 12, box[3] - box[1] + 8))
    spots = place_labels(
        [(x, y, w, h) for (x, y), (w, h) in zip(anchors, sizes)], (area[0], area[1], width - 330, area[3])
    )
    skipped = []
    for (name, text), (ax, ay), (w, h), spot in zip(texts, anchors, sizes, spots):
        if spot is None:
            skipped.append(name)
            continue
        cx, cy = spot
        if (cx, cy) != (ax, ay):
            edge_y = cy - h / 2 if cy > ay else cy + h / 2 if cy < ay else cy
            draw.line(
                [(ax, ay), (cx if cy != ay else cx - math.copysign(w / 2, cx - ax), edge_y)], fill="#263238", width=2
            )
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


def _png_bytes(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=False)
    return buf.getvalue()
