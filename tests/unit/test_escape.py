"""数据文字进 HTML / Markdown / Plotly 前的转义：载荷原样进去，出来的只是文字。"""

from __future__ import annotations

import html

import pandas as pd

from chuangwen import charts, hotspots, maps
from chuangwen.escape import html_text, md, plotly_text
from tests.unit import test_hotspot_builders as hb  # 小边界、镇街、点位样例

IMG = "<img src=x onerror=alert(1)>"


def test_html_text_turns_markup_into_entities():
    assert html_text(IMG) == "&lt;img src=x onerror=alert(1)&gt;"
    assert html_text("a\"b'c&d") == "a&quot;b&#x27;c&amp;d"
    assert html_text(None) == "" and html_text(float("nan")) == ""


def test_html_text_drops_control_characters_but_keeps_tabs():
    assert html_text("城管\x00局\x1b[31m\t二") == "城管局[31m\t二"


def test_md_escapes_images_links_html_directives_and_math():
    assert md("![x](http://host/x.png)") == "\\!\\[x\\]\\(http\\:\u200b\\/\\/host\\/x\\.png\\)"
    assert md(":red[警告] $x$ ~~删~~ **粗**") == r"\:red\[警告\] \$x\$ \~\~删\~\~ \*\*粗\*\*"
    assert md(IMG) == r"\<img src\=x onerror\=alert\(1\)\>"


def test_md_keeps_line_breaks_as_hard_breaks_that_cannot_open_blocks():
    assert md("第一行\n# 标题\r\n- 列表\n\n| a | b |") == "第一行  \n\\# 标题  \n\\- 列表  \n\\| a \\| b \\|"


def test_md_breaks_bare_urls_and_emails_so_they_do_not_become_links():
    assert md("见 www.example.com 或 a@b.cn") == "见 www\u200b\\.example\\.com 或 a\u200b\\@b\\.cn"


def test_md_leaves_chinese_text_alone():
    assert md("城管局（执法大队）") == "城管局（执法大队）"


def test_plotly_text_escapes_tags_but_not_quotes():
    # Plotly 只认 &lt; &gt; &amp;，&quot; 会原样显示
    assert plotly_text('<a href="http://x">点</a> & "引号"') == '&lt;a href="http://x"&gt;点&lt;/a&gt; &amp; "引号"'


def test_chart_builders_escape_names_categories_and_titles():
    mix = pd.DataFrame({"category": [IMG, "占道经营"], "problems": [3, 2], "open_now": [1, 1]})
    fig = charts.category_mix(mix, "<b>城管局</b>")
    assert fig.layout.title.text == "&lt;b&gt;城管局&lt;/b&gt;：问题类别构成"
    assert list(fig.data[0].y) == ["占道经营", "&lt;img src=x onerror=alert(1)&gt;"]
    assert list(fig.layout.yaxis.categoryarray) == list(fig.data[0].y)


def test_chart_builders_escape_customdata_and_trace_names():
    history = pd.DataFrame(
        {
            "round_code": ["r1", "r2"],
            "round_name": [IMG, "2025年度测评"],
            "round_label": ["2024", "2025"],
            "rank": [3, 2],
            "total": [88.5, 90.0],
            "group_size": [20, 20],
        }
    )
    fig = charts.rank_trend_history(history, None, "<i>本县</i>")
    assert fig.data[0].name == "&lt;i&gt;本县&lt;/i&gt;"
    assert fig.data[0].customdata[0][0] == "&lt;img src=x onerror=alert(1)&gt;"
    assert fig.data[0].customdata[0][1] == 88.5


def test_map_labels_tooltips_and_popups_carry_escaped_text_only():
    b, t, p = hb.boundaries(), hb.townships(), hb.points()
    b.loc[1, "name"] = t.loc[0, "name"] = IMG
    p.loc[0, ["site_name", "category", "unit_name", "problem_code"]] = [
        "<svg onload=alert(2)>",
        "<script>alert(3)</script>",
        '"><b onmouseover=alert(4)>',
        "P<1>",
    ]
    page = hb.html_of(maps.hotspot_map(b, t, hb.grid(), p))  # JSON 里的 \uXXXX 已还原
    for raw in ("<img src=x", "<svg onload", "<script>alert", "<b onmouseover", "P<1>"):
        assert raw not in page
    for escaped in (
        "&lt;img src=x onerror=alert(1)&gt;",
        "&lt;svg onload=alert(2)&gt;",
        "&lt;script&gt;alert(3)&lt;/script&gt;",
        "&quot;&gt;&lt;b onmouseover=alert(4)&gt;",
        "P&lt;1&gt;",
    ):
        assert escaped in page


def test_escaped_township_tooltip_still_parses_to_the_raw_name():
    # 浏览器把提示的 HTML 还原成文字（textContent）后交回：名称与库里的一致
    b, t = hb.boundaries(), hb.townships()
    b.loc[1, "name"] = t.loc[0, "name"] = "A&B<镇>"
    tip = maps.township_features(b, t, "problems", maps.breaks([4, 5]))["features"][0]["properties"]["tip"]
    assert hotspots.parse_click(html.unescape(tip)) == hotspots.Click("镇街", "A&B<镇>")


def test_map_document_allows_loads_only_from_itself_and_the_configured_tiles():
    assert "img-src &#x27;self&#x27; data: blob:; connect-src &#x27;self&#x27;" in maps.content_security_policy("")
    assert "img-src &#x27;self&#x27; data: blob: http://*.tiles.intra; " in maps.content_security_policy(
        "http://{s}.tiles.intra/{z}/{x}/{y}.png"
    )
    page = hb.html_of(maps.hotspot_map(hb.boundaries(), hb.townships(), hb.grid(), hb.points()))
    assert '<meta http-equiv="Content-Security-Policy"' in page
