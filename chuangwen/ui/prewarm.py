"""预热：服务启动时与发布新版本后，在看板进程的后台线程里把几页全县默认口径要的查询、计算与地图先算好，
记进跨会话的缓存（chuangwen.ui.data），领导第一次打开这几页时不再现算（丢分预警在 100 万条问题时现算约 1 秒）。

- 只算全县默认口径（新会话没动侧栏时的口径，frame.default_view）：换了统计区间、责任单位账号各自的明细仍在打开时算，
  但它们读的中间结果（例如 loss_risk_open）只按统计时刻，预热过也就命中了。
- 每个看板进程（`--workers N` 时每个 worker）各预热自己的缓存；每 POLL 秒看一次当前版本，变了才再算，一个版本只算一次。
- 预热出错只记日志（中文），不影响服务：页面打开时照常现算，出错的原因在页面上照常显示。
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from chuangwen import db, store
from chuangwen.ui import data, frame
from chuangwen.view import NoData, View

POLL = 10.0  # 秒：多久看一次有没有发布新版本
THREAD = "chuangwen-prewarm"
_LOG = logging.getLogger("chuangwen.prewarm")


class _QuietInPrewarm(logging.Filter):
    """预热线程里没有 ScriptRunContext（本就不画页面）：Streamlit 每次取缓存都警告一句英文，这里不记。"""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.threadName != THREAD


Warmer = Callable[[View], None]


class Prewarmer:
    """记着上次预热的是哪个版本；step() 看一次当前版本，变了就把每个预热函数跑一遍。"""

    def __init__(self, warmers: Sequence[tuple[str, Warmer]]):
        self.warmers = list(warmers)
        self.done_key: str | None = None
        self._last_problem: str | None = None

    def step(self) -> bool:
        """当前版本没预热过时预热它；返回这一次是否预热了。"""
        try:
            snapshot = store.current(data.database_path())
        except (db.DatabaseError, OSError) as exc:
            if str(exc) != self._last_problem:  # 同一个原因只记一次（库还没建好时每 POLL 秒都会来这里）
                _LOG.warning("预热：读不到当前版本（%s），稍后再看", exc)
                self._last_problem = str(exc)
            return False
        if snapshot.key == self.done_key:
            return False
        self.done_key = snapshot.key
        try:
            view = frame.default_view(snapshot, None)
        except NoData:
            return False  # 空库：没有什么可预热
        for name, warm in self.warmers:
            t0 = time.perf_counter()
            try:
                warm(view)
            except Exception:  # noqa: BLE001 —— 预热只为快，出错不能拖垮服务；页面打开时照常现算并显示原因
                _LOG.exception("预热%s失败（%s）：页面打开时照常现算", name, snapshot.label)
            else:
                _LOG.info("预热%s：%s，%.2f 秒", name, snapshot.label, time.perf_counter() - t0)
        return True


def _loop(warmer: Prewarmer, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            warmer.step()
        except Exception:  # noqa: BLE001 —— 线程不能因一次意外而退出
            _LOG.exception("预热出错，稍后再试")
        stop.wait(POLL)


def lifespan(warmers: Sequence[tuple[str, Warmer]]) -> Callable[[Any], contextlib.AbstractAsyncContextManager[None]]:
    """给 st.App(lifespan=…)：服务起来后开一个后台线程预热，服务停时叫它停下。"""

    @contextlib.asynccontextmanager
    async def run(_app: Any) -> AsyncIterator[None]:
        logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_QuietInPrewarm())
        stop = threading.Event()
        thread = threading.Thread(target=_loop, args=(Prewarmer(warmers), stop), name=THREAD, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            await asyncio.to_thread(thread.join, 5)

    return run
