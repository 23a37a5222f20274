"""地图组件：folium 地图只在输入变了时才渲染成组件参数，之后每次页面运行把记住的参数直接交给 streamlit-folium 的组件。

为什么不每次调 st_folium：branca 渲染时把每段渲染结果再当 jinja 模板编译一遍，镇街边界的 GeoJSON 有几十万字，
实测（20k 示例、py-spy）问题热点一次热运行约 0.4 秒，其中七成花在 st_folium 的渲染上，而输入一样时结果一模一样。

做法：第一次用 streamlit-folium 自己的 st_folium 生成组件参数（在锁里把它调用的组件函数换成“记下参数”），
按输入内容记住（data.memo）；以后直接调组件。组件的键由地图脚本的哈希决定，输入不变键就不变，地图不会重新挂载。
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

import streamlit as st
import streamlit_folium

from chuangwen.ui import data

_LOCK = threading.Lock()


def _component_args(build: Callable, key: str, height: int, returned: tuple[str, ...], *args, **kwargs) -> dict:
    fmap = build(*args, **kwargs)
    captured: dict = {}

    def capture(**component_kwargs):
        captured.update(component_kwargs)
        return component_kwargs.get("default")

    with _LOCK:  # 只在这一处替换，且同一时刻只有一个会话在生成
        real = streamlit_folium._component_func
        streamlit_folium._component_func = capture
        try:
            streamlit_folium.st_folium(fmap, key=key, height=height, use_container_width=True,
                                       returned_objects=list(returned))
        finally:
            streamlit_folium._component_func = real
    captured.pop("on_change", None)  # 每次运行另配回调（见 show）
    return captured


def show(build: Callable, *args, key: str, height: int, returned_objects: Iterable[str],
         on_change: Callable[[], None] | None = None, **kwargs):
    """画 build(*args, **kwargs) 返回的 folium 地图，返回值与 st_folium 相同（用户在地图上的操作）。

    build 必须是纯函数：同样的输入给出同样的地图（chuangwen.maps 里的构建函数都是）。"""
    if not hasattr(streamlit_folium, "_component_func"):  # 组件库改了内部名字：退回每次渲染
        return streamlit_folium.st_folium(build(*args, **kwargs), key=key, height=height, use_container_width=True,
                                          returned_objects=list(returned_objects), on_change=on_change)
    component = data.memo(_component_args, build, key, height, tuple(returned_objects), *args, **kwargs)
    hash_key = component["key"]

    def changed():
        # 与 st_folium 相同：组件值记在哈希键下，再抄到调用方给的键，页面用后者
        st.session_state[key] = st.session_state.get(hash_key, {})
        if on_change is not None:
            on_change()

    return streamlit_folium._component_func(**component, on_change=changed)
