"""看板作为一个 Web 服务器（st.App）：一道门（chuangwen.gate）、登录路由，以及门要问的两件事——
这个页面会话（WebSocket 上的 Streamlit 会话）归哪个登录会话、这个下载文件归哪个登录会话。

两张登记表都在本进程内存里（页面会话与下载文件本来就只在这个进程里；多进程时 nginx 让同一浏览器固定到同一进程）：
- 页面每次运行时登记“页面会话 → 登录会话”（bind_session）；
- 下载生成文件后登记“文件内容的 SHA-256 → 登录会话”（register_download）。
"""

from __future__ import annotations

import collections
import hashlib
import logging
import threading
from collections.abc import Iterable
from pathlib import Path

from starlette.middleware import Middleware

from chuangwen import gate

_LOG = logging.getLogger("chuangwen.webapp")
_LOCK = threading.Lock()
_SESSIONS: dict[str, str] = {}  # 页面会话编号 → 登录会话标识
_DOWNLOADS: collections.OrderedDict[str, set[str]] = collections.OrderedDict()  # 文件内容 SHA-256 → 登录会话标识
_MAX_DOWNLOADS = 2048


def current_session_id() -> str | None:
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return ctx.session_id if ctx is not None else None


def bind_session(owner: str) -> None:
    """本次运行的页面会话归 owner（登录会话标识）。同一页面会话换了人（退出后别人在同一标签页登录）时改登记。"""
    session_id = current_session_id()
    if session_id is None:
        return
    with _LOCK:
        _SESSIONS[session_id] = owner


def session_owner(session_id: str) -> str | None:
    with _LOCK:
        return _SESSIONS.get(session_id)


def register_download(content: bytes, owner: str) -> None:
    digest = hashlib.sha256(content).hexdigest()
    with _LOCK:
        _DOWNLOADS.setdefault(digest, set()).add(owner)
        _DOWNLOADS.move_to_end(digest)
        while len(_DOWNLOADS) > _MAX_DOWNLOADS:
            _DOWNLOADS.popitem(last=False)


def _runtime():
    from streamlit.runtime import Runtime

    return Runtime.instance() if Runtime.exists() else None


def media_owners(file_name: str) -> Iterable[str]:
    """可以取这个媒体文件的登录会话：下载按内容登记的主人，加上页面里引用它的页面会话的主人（如页面图标）。"""
    runtime = _runtime()
    if runtime is None:
        return set()
    manager = runtime.media_file_mgr
    file_id = Path(file_name).stem
    owners: set[str] = set()
    try:
        content = manager._storage.get_file(file_name).content  # Streamlit 1.67 的内存文件库（版本锁定在 pyproject）
    except Exception:  # 没有这个文件（过期、编出来的）：谁也不给
        return owners
    with _LOCK:
        owners |= _DOWNLOADS.get(hashlib.sha256(content).hexdigest(), set())
        sessions = dict(_SESSIONS)
    for session_id, files in list(manager._files_by_session_and_coord.items()):
        if file_id in files.values() and session_id in sessions:
            owners.add(sessions[session_id])
    return owners


def request_rerun(session_id: str | None) -> None:
    """让这个页面会话重跑一次（下载被拒时：页面随即显示中文说明）。会话已不在时什么都不做。"""
    runtime = _runtime()
    if runtime is None or session_id is None:
        return
    session = runtime.get_app_session(session_id)
    if session is not None:
        session.request_rerun(None)


def middleware() -> list[Middleware]:
    return [Middleware(gate.Gate, session_owner=session_owner, media_owners=media_owners)]
