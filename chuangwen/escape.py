"""数据里来的文字（名称、描述、文件名、类别、说明）进入 HTML 或 Markdown 前唯一的转义处。

台账是别人填的：一个镇街名 `<img src=x onerror=…>` 若原样进了地图提示的 innerHTML 就会在每个看的人的浏览器里
执行脚本；一段描述 `![x](http://外网/x.png)` 若原样交给 st.markdown，每个看的人的浏览器都会去外网取图。
所以：进 HTML（folium 的 DivIcon、提示、弹窗，st.html，Plotly 文字）用 html_text / plotly_text，
进 Streamlit 的 Markdown（st.markdown、st.caption、st.info 等提示、控件与标签页标题）用 md。
我们自己写的固定文字与数字不用转义；把数据文字拼进去时，每一处都经过这里。
"""

from __future__ import annotations

import html
import re

# CommonMark 可以用反斜杠转义的全部 ASCII 标点（Streamlit 的 :color[…]、:material/…:、$…$ 公式、~~ 也在其中）
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&\"'=^%/@?;,])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x85\v\f]+")
# 控制字符（制表符除外）在页面上没有意义，还可能让日志与终端显示错乱
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _text(value: object) -> str:
    if value is None:
        return ""
    try:
        if value != value:  # NaN / NA
            return ""
    except (TypeError, ValueError):
        pass
    return _CONTROL.sub("", str(value))


_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def office_text(value: object) -> str:
    """放进 Word 文稿的文字：XML 里不许出现的控制字符（台账里偶有的 \\x0b、\\x08 等）去掉，免得生成文稿时出错；
    Word 不解释标记，其余原样。None 与 NaN 为空串。"""
    return _XML_INVALID.sub("", _text(value))


def html_text(value: object) -> str:
    """放进 HTML 元素内容或属性值的文字：& < > " ' 全部转成实体。None 与 NaN 为空串。"""
    return html.escape(_text(value), quote=True)


def plotly_text(value: object) -> str:
    """放进 Plotly 文字（标题、坐标轴标签、图例、悬停提示）：Plotly 把 <b> <a href> <span style> 等当标记解释，
    只认 &lt; &gt; &amp; 这几个命名实体（&quot; 会原样显示），所以只转 & < >。"""
    return html.escape(_text(value), quote=False)


# GFM 的“裸网址自动成链接”（http://…、www.…、邮箱）不理会反斜杠转义（浏览器里看到过）：
# 在 :// 、www. 与 @ 处插一个零宽空格，看上去不变，但不再是网址
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)")
_ZWSP = "\u200b"


def md(value: object) -> str:
    """放进 Streamlit Markdown 的一段文字：ASCII 标点一律加反斜杠（链接、图片、强调、公式、:color[…] 都不成立），
    裸网址与邮箱断开（不自动成链接）；换行保留为硬换行，行首的 # - + > 1. 等已被转义，开不出标题、列表或表格。"""
    text = _AUTOLINK.sub(_ZWSP, _text(value))
    return _LINE_BREAKS.sub("  \n", _MD_SPECIAL.sub(r"\\\1", text))
