"""地图组件的参数（chuangwen.ui.mapview）：由地图生成的参数与 streamlit-folium 的 st_folium 交给组件的逐项相同
（streamlit-folium 升级改了写法时这里先失败）；生成参数不替换库里的任何全局变量。"""

from __future__ import annotations

import ast
from pathlib import Path

import folium
import streamlit_folium

from chuangwen.ui import mapview

ROOT = Path(__file__).resolve().parents[2]


def sample_map() -> folium.Map:
    fmap = folium.Map(location=[31.8, 117.3], zoom_start=11, tiles=None)
    folium.GeoJson(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"名称": "澜城街道"},
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [[[117.2, 31.7], [117.4, 31.7], [117.4, 31.9], [117.2, 31.7]]],
                    },
                }
            ],
        },
        name="镇街",
    ).add_to(fmap)
    folium.CircleMarker([31.8, 117.3], radius=4, tooltip="某点位").add_to(fmap)
    folium.LayerControl().add_to(fmap)
    return fmap


def test_component_args_equal_what_st_folium_hands_the_component(monkeypatch):
    seen: dict = {}
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kw: seen.update(kw) or kw.get("default"))
    streamlit_folium.st_folium(
        sample_map(),
        key="hs_map",
        height=640,
        use_container_width=True,
        returned_objects=["last_object_clicked", "zoom", "bounds"],
    )
    ours = mapview.component_args(sample_map(), "hs_map", 640, ("last_object_clicked", "zoom", "bounds"))
    theirs = {k: v for k, v in seen.items() if k != "on_change"}
    # 两张地图各自生成，元素编号（folium 的随机 id）不同：比较时把编号换掉
    import re

    def plain(value):
        return re.sub(r"_[0-9a-f]{32}", "_ID", value) if isinstance(value, str) else value

    assert sorted(ours) == sorted(theirs)
    assert {k: plain(v) for k, v in ours.items()} == {k: plain(v) for k, v in theirs.items()}


def test_no_module_assigns_a_streamlit_folium_global():
    offenders = []
    for path in [*ROOT.glob("chuangwen/**/*.py"), *ROOT.glob("app_pages/*.py"), ROOT / "dashboard.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AugAssign)
                else []
            )
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "streamlit_folium"
                ):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
