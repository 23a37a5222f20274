"""页面里的后台任务（Issue 32 第 6 部分）：生成通报这种要几秒到几十秒的事放到后台线程，页面这次运行马上结束，
会话不冻住（换页、点别的照常），服务器的页面线程也不被占着；页面上一个进度条每秒刷新一次，好了整页重跑、给出下载。

后台线程里只调用不依赖 streamlit 的核心函数（chuangwen.briefing），不碰 st.* 与 session_state；
结果放在 Job 对象里（session_state 只存这个对象）。整个服务器同时最多跑 SLOTS 个，其余排队（2 核机器）。
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

_LOG = logging.getLogger("chuangwen.jobs")
SLOTS = 2
_SLOTS = threading.BoundedSemaphore(SLOTS)
POLL_SECONDS = 1.0


@dataclass
class Job:
    """一个后台任务：要做的是什么（request，选项一变就不是它了）、进度、结果或中文的失败原因。"""

    request: Hashable
    stage: str = "排队等候（同时生成的人较多）"
    fraction: float = 0.0
    result: Any = None
    error: str | None = None
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    _done: threading.Event = field(default_factory=threading.Event)

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def report(self, stage: str, fraction: float) -> None:
        self.stage, self.fraction = stage, max(0.0, min(1.0, fraction))

    def wait(self, timeout: float | None = None) -> bool:
        """等它做完（测试与命令行用）；返回是否做完。"""
        return self._done.wait(timeout)


def start(
    state_key: str,
    request: Hashable,
    work: Callable[[Callable[[str, float], None]], Any],
    *,
    expected: tuple[type[Exception], ...] = (),
) -> Job:
    """开一个后台任务，记在 session_state[state_key]；work(report) 在后台线程里跑，返回值是结果。
    expected 里的异常（无数据、模板写错）的消息原样给用户看；别的异常记日志，给一句中文说明。"""
    job = Job(request)

    def run() -> None:
        with _SLOTS:
            job.report("开始生成", 0.01)
            try:
                job.result = work(job.report)
            except expected as exc:
                job.error = str(exc)
            except Exception:
                _LOG.exception("后台生成失败：%s", request)
                job.error = "生成时出错，没有得到文件；请稍后再试。原因已记入服务器日志，可告诉管理员生成的时间。"
            finally:
                job.finished = time.monotonic()
                job._done.set()

    threading.Thread(target=run, name=f"chuangwen-job-{state_key}", daemon=True).start()
    st.session_state[state_key] = job
    return job


def current(state_key: str) -> Job | None:
    job = st.session_state.get(state_key)
    return job if isinstance(job, Job) else None


def progress(job: Job, label: str) -> None:
    """还没做完时：一个每秒自己刷新的进度条（只重跑这一小块）；做完了整页重跑一次，页面接着画结果。"""

    @st.fragment(run_every=POLL_SECONDS)
    def poll() -> None:
        if job.done:
            st.rerun(scope="app")
        seconds = time.monotonic() - job.started
        st.progress(job.fraction, text=f"{label}：{job.stage}……（已用 {seconds:.0f} 秒；可以先看别的页面）")

    poll()
