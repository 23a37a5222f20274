"""地图组件：folium 地图只在输入变了时才渲染成组件参数，之后每次页面运行把记住的参数直接交给 streamlit-folium 的组件。

为什么不每次调 st_folium：branca 渲染时把每段渲染结果再当 jinja 模板编译一遍，镇街边界的 GeoJSON 有几十万字，
实测（20k 示例、py-spy）问题热点一次热运行约 0.4 秒，其中七成花在 st_folium 的渲染上，而输入一样时结果一模一样。

做法：按 st_folium 的写法（streamlit-folium 0.27，pyproject 里锁定小版本）由地图生成组件参数（component_args），
按输入内容记住（data.memo）；每次运行直接调组件函数。组件函数在导入时取一次（COMPONENT），从不替换库里的全局变量，
几个会话同时生成、同时显示互不影响。tests/unit/test_mapview.py 核对这里生成的参数与 st_folium 交给组件的完全相同。
组件的键由地图脚本的哈希决定，输入不变键就不变，地图不会重新挂载。
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import branca
import folium
import streamlit as st
import streamlit_folium

from chuangwen.ui import data

# streamlit-folium 声明的组件（导入时取一次；只调用，不替换）
COMPONENT: Callable[..., Any] = streamlit_folium._component_func


def _register_outside_script() -> None:
    """declare_component 只在有 ScriptRunContext 的线程里登记组件。streamlit-folium 第一次被导入若在服务的后台线程里
    （预热，chuangwen.ui.prewarm），组件就没登记：浏览器取不到组件页面，地图一直是灰色的占位框。这时照样登记到运行时。"""
    from streamlit import runtime
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    if get_script_run_ctx() is None and runtime.exists():
        runtime.get_instance().component_registry.register_component(COMPONENT)  # type: ignore[arg-type]


_register_outside_script()


def _linked_assets(fmap: folium.Map) -> tuple[list[str], list[str]]:
    """地图各部件要的样式表与脚本地址（去重，保持顺序）：与 st_folium 收集的方法相同。"""

    def walk(element: Any) -> Iterator[Any]:
        if isinstance(element, (branca.colormap.ColorMap, folium.elements.JSCSSMixin)):
            yield element
        for child in getattr(element, "_children", {}).values():
            yield from walk(child)

    css: list[str] = []
    js: list[str] = []
    for element in walk(fmap):
        if isinstance(element, branca.colormap.ColorMap):
            raise ValueError("地图里不能有 branca 的色标：streamlit-folium 会为它从外网取 d3.js（看板离线运行）")
        css.extend(href for _, href in getattr(element, "default_css", []))
        js.extend(src for _, src in getattr(element, "default_js", []))
    return list(dict.fromkeys(css)), list(dict.fromkeys(js))


def component_args(fmap: folium.Map, key: str, height: int, returned: tuple[str, ...]) -> dict[str, Any]:
    """folium 地图 → streamlit-folium 组件的参数（不含 on_change），与 st_folium(fmap, key=key, height=height,
    use_container_width=True, returned_objects=returned) 交给组件的相同。"""
    fmap.get_root().render()
    fmap.render()
    # 顺序同 st_folium：先取 HTML 与 header，_get_map_string 会改动地图结构
    html = streamlit_folium._get_html(fmap)
    header = streamlit_folium._get_header(fmap)
    leaflet = streamlit_folium._get_map_string(fmap)
    try:
        (south, west), (north, east) = fmap.get_bounds()
    except AttributeError:
        south = west = north = east = None
    every = {
        "last_clicked": None,
        "last_object_clicked": None,
        "last_object_clicked_count": None,
        "last_object_clicked_tooltip": None,
        "last_object_clicked_popup": None,
        "all_drawings": None,
        "last_active_drawing": None,
        "bounds": {"_southWest": {"lat": south, "lng": west}, "_northEast": {"lat": north, "lng": east}},
        "zoom": fmap.options.get("zoom") if hasattr(fmap, "options") else {},
        "last_circle_radius": None,
        "last_circle_polygon": None,
        "selected_layers": None,
        "selected_tags": None,
        "last_geocoder_result": None,
    }
    css, js = _linked_assets(fmap)
    return {
        "script": leaflet,
        "header": header,
        "html": html,
        "id": streamlit_folium.get_full_id(fmap),
        "key": streamlit_folium.generate_js_hash(leaflet, key, False),
        "height": height,
        "width": None,
        "returned_objects": list(returned),
        "default": {k: v for k, v in every.items() if k in returned},
        "zoom": None,
        "center": None,
        "feature_group": None,
        "return_on_hover": False,
        "layer_control": None,
        "pixelated": False,
        "css_links": css,
        "js_links": js,
        "wrap_longitude": False,
    }


def _built_args(
    build: Callable[..., folium.Map], key: str, height: int, returned: tuple[str, ...], *args: Any, **kwargs: Any
) -> dict[str, Any]:
    return component_args(build(*args, **kwargs), key, height, returned)


class Map:
    """一张已生成组件参数的地图：先读用户在上面的状态（state），再按它决定动态图层，最后 show。"""

    def __init__(
        self,
        build: Callable[..., folium.Map],
        args: tuple,
        kwargs: dict,
        key: str,
        height: int,
        returned_objects: tuple[str, ...],
    ):
        self.key, self.height, self.returned = key, height, returned_objects
        self._component = data.memo(_built_args, build, key, height, returned_objects, *args, **kwargs)

    def state(self) -> dict | None:
        """这张地图（按地图内容区分：换了镇街就是另一张）上次从浏览器传回的值；还没有时 None。"""
        return st.session_state.get(self._component["key"])

    def show(self, on_change: Callable[[dict, dict], None] | None = None, dynamic_js: str | None = None) -> Any:
        """画地图，返回值与 st_folium 相同。on_change(之前的值, 现在的值)：用户在地图上点击、缩放、拖动之后调用。
        dynamic_js 是在已画好的地图上执行的脚本（内容变了才重新执行，地图不重新挂载）。"""
        seen = f"{self.key}__seen"
        hash_key = self._component["key"]

        def copied() -> None:
            # 与 st_folium 相同：组件值记在哈希键下，再抄到调用方给的键，页面用后者
            st.session_state[self.key] = st.session_state.get(hash_key, {})
            before = st.session_state.get(seen) or {}
            after = st.session_state.get(self.key) or {}
            st.session_state[seen] = after
            if on_change is not None:
                on_change(before, after)

        component = {**self._component, "feature_group": dynamic_js} if dynamic_js else self._component
        return COMPONENT(**component, on_change=copied)


def prepare(
    build: Callable[..., folium.Map], *args: Any, key: str, height: int, returned_objects: Iterable[str], **kwargs: Any
) -> Map:
    """准备 build(*args, **kwargs) 返回的 folium 地图（build 必须是纯函数：同样的输入给出同样的地图，
    chuangwen.maps 里的构建函数都是）。"""
    return Map(build, args, kwargs, key, height, tuple(returned_objects))
