"""丢分预警地图（maps.risk_features / risk_map）：点位名、点位类型、镇街名来自台账，进提示与标签前都转义（问题热点地图的
同样检查在 tests/e2e/test_hostile_text_browser.py）。"""

from __future__ import annotations

import json

import pandas as pd

from chuangwen import maps

PAYLOAD = "<img src=x onerror=alert(1)>"


def test_risk_tooltips_carry_ledger_names_escaped():
    places = pd.DataFrame(
        {
            "item_name": [f"市场{PAYLOAD}"],
            "site_type": [f"农贸市场{PAYLOAD}"],
            "township_name": [f"城关街道{PAYLOAD}"],
            "share": [0.5],
            "gain": [0.25],
            "problems": [2],
            "days_overdue": [3.0],
            "lon": [120.1],
            "lat": [30.2],
        }
    )
    tip = maps.risk_features(places)["features"][0]["properties"]["tip"]
    assert PAYLOAD not in tip
    assert tip.startswith(
        "市场&lt;img src=x onerror=alert(1)&gt;（农贸市场&lt;img src=x onerror=alert(1)&gt;，"
        "城关街道&lt;img src=x onerror=alert(1)&gt;）｜预计丢分 0.500｜改了少丢 0.250｜在办问题 2 条｜逾期 3 天"
    )
    assert PAYLOAD not in json.dumps(maps.risk_features(places), ensure_ascii=False)
