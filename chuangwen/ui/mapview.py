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
            streamlit_folium.st_folium(
                fmap, key=key, height=height, use_container_width=True, returned_objects=list(returned)
            )
        finally:
            streamlit_folium._component_func = real
    captured.pop("on_change", None)  # 每次运行另配回调（见 show）
    return captured


class Map:
    """一张已生成组件参数的地图：先读用户在上面的状态（state），再按它决定动态图层，最后 show。"""

    def __init__(
        self, build: Callable, args: tuple, kwargs: dict, key: str, height: int, returned_objects: tuple[str, ...]
    ):
        self.key, self.height, self.returned = key, height, returned_objects
        self._build, self._args, self._kwargs = build, args, kwargs
        self._direct = hasattr(streamlit_folium, "_component_func")  # 组件库改了内部名字：退回每次渲染
        self._component = (
            data.memo(_component_args, build, key, height, returned_objects, *args, **kwargs) if self._direct else None
        )

    def state(self) -> dict | None:
        """这张地图（按地图内容区分：换了镇街就是另一张）上次从浏览器传回的值；还没有时 None。"""
        if self._component is None:
            return st.session_state.get(self.key)
        return st.session_state.get(self._component["key"])

    def show(self, on_change: Callable[[dict, dict], None] | None = None, dynamic_js: str | None = None):
        """画地图，返回值与 st_folium 相同。on_change(之前的值, 现在的值)：用户在地图上点击、缩放、拖动之后调用。

        dynamic_js 是在已画好的地图上执行的脚本（内容变了才重新执行，地图不重新挂载）；退回每次渲染时不支持，忽略。"""
        seen = f"{self.key}__seen"

        def changed():
            before = st.session_state.get(seen) or {}
            after = st.session_state.get(self.key) or {}
            st.session_state[seen] = after
            if on_change is not None:
                on_change(before, after)

        if self._component is None:
            return streamlit_folium.st_folium(
                self._build(*self._args, **self._kwargs),
                key=self.key,
                height=self.height,
                use_container_width=True,
                returned_objects=list(self.returned),
                on_change=changed,
            )
        hash_key = self._component["key"]

        def copied():
            # 与 st_folium 相同：组件值记在哈希键下，再抄到调用方给的键，页面用后者
            st.session_state[self.key] = st.session_state.get(hash_key, {})
            changed()

        component = {**self._component, "feature_group": dynamic_js} if dynamic_js else self._component
        return streamlit_folium._component_func(**component, on_change=copied)


def prepare(build: Callable, *args, key: str, height: int, returned_objects: Iterable[str], **kwargs) -> Map:
    """准备 build(*args, **kwargs) 返回的 folium 地图（build 必须是纯函数：同样的输入给出同样的地图，
    chuangwen.maps 里的构建函数都是）。"""
    return Map(build, args, kwargs, key, height, tuple(returned_objects))
