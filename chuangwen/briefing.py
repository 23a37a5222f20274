"""通报导出（不依赖 streamlit）：按统计时刻取数（只用各页已定义的命名查询），生成 16:9 的周通报/推进会幻灯片（PPTX 字节）。

- 简单的柱图、折线图用 PowerPoint 原生图表（数据可在 PowerPoint 里编辑）；复杂的图（全组名次走势）用 2 倍分辨率 PNG，
  没有 Chromium 时改用原生图并在页上写明；热点地图是不需要浏览器的静态图（chuangwen.export_png）。
- 中文字体写进 XML 的 `<a:ea>`（python-pptx 的 font.name 只写 `<a:latin>`），PowerPoint 与 LibreOffice 都能显示中文。
- 可复现：所用每个查询的参数与结果算一个 SHA-256 数据指纹，写在每页页脚、备注和文档属性里；同一统计时刻、同一份数据，
  数字与指纹都相同。所有时间都相对统计时刻，不取系统时钟。
"""
from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import duckdb
import pandas as pd
from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_AXIS_CROSSES, XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from chuangwen import charts, excel, export_png, formats, hotspots, league, queries, ranking, settings

# 统计区间（允许清单）：周 = 统计时刻前 7 天，月 = 前 30 天（与红黑榜页同一口径），轮 = 最近一轮测评开始至统计时刻
PERIODS = {"week": "周通报", "month": "月通报", "round": "测评轮次通报"}
PERIOD_WORDS = {"week": "本周", "month": "本月", "round": "本轮"}
PREVIOUS_WORDS = {"week": "上周", "month": "上月", "round": "上一轮"}
_PERIOD_DAYS = {"week": 7, "month": 30}
LEAGUE_PERIOD = {"week": "周", "month": "月", "round": "侧栏"}
ROUND_TYPE = ranking.DEFAULT_ROUND_TYPE

# 字体：拉丁字母与东亚文字分别写；LibreOffice 找不到“微软雅黑”时按 fontconfig 退到 Noto Sans CJK
EA_TYPEFACE = "Microsoft YaHei"
LATIN_TYPEFACE = "Microsoft YaHei"

RED = RGBColor(0xB7, 0x1C, 0x1C)
DARK = RGBColor(0x21, 0x21, 0x21)
GREY = RGBColor(0x54, 0x6E, 0x7A)
LIGHT = RGBColor(0xEC, 0xEF, 0xF1)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
BLUE = RGBColor(0x15, 0x65, 0xC0)
GREEN = RGBColor(0x2E, 0x7D, 0x32)
SERIES_COLORS = (RED, RGBColor(0x37, 0x47, 0x4F), RGBColor(0x90, 0xA4, 0xAE), BLUE)
OVERDUE_COLORS = (RGBColor(0xFB, 0xC0, 0x2D), RGBColor(0xEF, 0x6C, 0x00), RGBColor(0xB7, 0x1C, 0x1C))

SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)
TABLE_ROWS = 12
REBOUND_ROWS = 10


class NoData(Exception):
    """统计时刻没有可用数据（库里还没有问题、统计时刻早于最早的记录或晚于数据截至）；消息为中文。"""


@dataclass(frozen=True)
class Period:
    key: str
    start: datetime        # 本期起点（不含）
    prev_start: datetime   # 上期起点（不含）；上期终点 = start
    round_name: str | None = None


@dataclass
class Brief:
    """一期通报要用的全部数据（查询结果原样保存），以及由它们算出的数据指纹。"""

    county_code: str
    county_name: str
    province_name: str
    is_demo: bool
    cutoff: datetime
    as_of: datetime
    period: Period
    issue_no: int
    target_rank: int | None
    rival_codes: str | None = None   # meta.rival_region_codes（与排名趋势页同一默认对手）
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    params: dict[str, dict] = field(default_factory=dict)
    digest: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.county_name}创建文明城市工作{PERIODS[self.period.key]}"

    @property
    def period_text(self) -> str:
        return _span_text(self.period.start, self.as_of)

    @property
    def previous_text(self) -> str:
        return _span_text(self.period.prev_start, self.period.start)

    @property
    def short_digest(self) -> str:
        return self.digest[:12]


def _span_text(start: datetime, end: datetime) -> str:
    """区间文字。起点不含；按轮次时起点是开始日 0 时前一微秒，写成“某日 0 时起”更好懂。"""
    if start.microsecond == 999999:
        tail = (f"{formats.moment(end + timedelta(microseconds=1))} 前" if end.microsecond == 999999
                else formats.moment(end))
        return f"{formats.moment(start + timedelta(microseconds=1))} 起至 {tail}"
    return f"{formats.moment(start)} 至 {formats.moment(end)}（不含起点）"


# ---------------------------------------------------------------- 取数

def default_issue_no(as_of: datetime, period: str, rounds: pd.DataFrame | None = None) -> int:
    """默认期数：统计时刻所在年份中的第几周（1 月 1 日起每 7 天一期）、第几月；按轮次时为当年已开始的第几轮。"""
    if period == "week":
        return (as_of.timetuple().tm_yday - 1) // 7 + 1
    if period == "month":
        return as_of.month
    if rounds is not None and len(rounds):
        return max(1, int(rounds["rounds_in_year"].iloc[0]))
    return 1


def _frame_bytes(df: pd.DataFrame) -> bytes:
    # 列名与值都进指纹；geom 等二进制列转十六进制，浮点统一 repr，保证同一数据得到同一文本
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = [v.hex() if isinstance(v, (bytes, bytearray, memoryview)) and not isinstance(v, str)
                        and hasattr(v, "hex") else v for v in out[col]]
    return out.to_csv(index=False, float_format="%.10g", date_format="%Y-%m-%d %H:%M:%S.%f").encode("utf-8")


def data_digest(frames: dict[str, pd.DataFrame], params: dict[str, dict]) -> str:
    """数据指纹：按名称排序，依次写入查询参数与结果文本，取 SHA-256。"""
    h = hashlib.sha256()
    for key in sorted(frames):
        h.update(key.encode("utf-8"))
        h.update(json.dumps(params.get(key, {}), sort_keys=True, default=str, ensure_ascii=False).encode("utf-8"))
        h.update(_frame_bytes(frames[key]))
    return h.hexdigest()


def _period(con, as_of: datetime, period: str, runner) -> tuple[Period, pd.DataFrame | None]:
    if period not in PERIODS:
        raise ValueError(f"未知的通报周期：{period}（可选：{'、'.join(PERIODS)}）")
    if period in _PERIOD_DAYS:
        days = timedelta(days=_PERIOD_DAYS[period])
        return Period(period, as_of - days, as_of - 2 * days), None
    rounds = runner("briefing_period_round", "briefing_period_round", {"as_of": as_of})
    if rounds.empty:
        raise NoData(f"统计时刻 {formats.moment(as_of)} 之前库里没有开始过的测评轮次，无法按轮次出通报；请改按周或按月。")
    start = datetime.combine(rounds.iloc[0]["start_date"], time(0, 0)) - timedelta(microseconds=1)
    if len(rounds) > 1:
        prev = datetime.combine(rounds.iloc[1]["start_date"], time(0, 0)) - timedelta(microseconds=1)
    else:
        prev = start - (as_of - start)
    return Period(period, start, prev, str(rounds.iloc[0]["name"])), rounds


def collect(con: duckdb.DuckDBPyConnection, *, as_of: datetime | None = None, period: str = "week",
            issue_no: int | None = None, scope_unit: str | None = None) -> Brief:
    """按统计时刻取齐一期通报的数据（只读；全部经 queries.run 执行已登记的查询）。
    scope_unit 为查看范围（None = 全部单位；否则只含该单位牵头或配合的问题）。"""
    frames: dict[str, pd.DataFrame] = {}
    params: dict[str, dict] = {}

    def run(key: str, name: str, p: dict) -> pd.DataFrame:
        df = queries.run(con, name, p)
        frames[key], params[key] = df, dict(p)
        return df

    meta = dict(queries.run(con, "app_meta", {}).itertuples(index=False, name=None))
    cutoff_raw = meta.get("data_cutoff") or meta.get("data_cutoff_derived")
    if not cutoff_raw:
        raise NoData("库里还没有任何问题与整改记录，也没有写明数据截至时间，无法生成通报。")
    cutoff = datetime.fromisoformat(cutoff_raw)
    as_of = as_of or cutoff
    if as_of > cutoff:
        raise NoData(f"统计时刻 {formats.moment(as_of)} 晚于数据截至 {formats.moment(cutoff)}：库里没有这段时间的数据，"
                     "未生成通报。请把统计时刻改为数据截至或更早。")
    span = run("span", "briefing_data_span", {"as_of": as_of}).iloc[0]
    if int(span["problems"]) == 0:
        first = "库里还没有任何问题" if pd.isna(span["first_found_at"]) else \
            f"最早的问题发现于 {formats.moment(span['first_found_at'])}"
        raise NoData(f"统计时刻 {formats.moment(as_of)} 之前没有任何问题记录（{first}），未生成通报。请换一个统计时刻。")

    per, rounds = _period(con, as_of, period, run)
    county = settings.get("our_region_code") or meta.get("our_region_code", "")
    target = settings.get("target_rank") or (int(meta["target_rank"]) if meta.get("target_rank") else None)
    weights = league.Weights.from_setting(settings.get("league_weights"))
    min_sample = settings.get("min_sample")
    brief = Brief(county_code=county, county_name=meta.get("county_name", county),
                  province_name=meta.get("province_name", ""), is_demo=meta.get("is_demo") == "1",
                  cutoff=cutoff, as_of=as_of, period=per,
                  issue_no=issue_no or default_issue_no(as_of, period, rounds), target_rank=target,
                  rival_codes=meta.get("rival_region_codes"))

    # 测评名次（只取统计时刻之前结束的轮次）
    run("rank_history_ours", "overview_rank_history", {"county": county, "round_type": ROUND_TYPE})
    run("rank_history_all", "rank_history", {"round_type": ROUND_TYPE})
    run("rank_stats", "rank_round_stats", {"round_type": ROUND_TYPE, "county": county, "target_rank": target or 1})
    stats = _before(frames["rank_stats"], as_of)
    latest = ranking.latest_scored_round(stats) if len(stats) else None
    if latest is not None:
        run("rank_parts", "rank_part_gap", {"county": county, "round_code": latest["round_code"],
                                            "target_rank": target or 1})

    # 红黑榜：本期与上期（league 查询自带上一等长区间的名次）
    run("league_units", "league_units", league.unit_params(
        as_of, per.start, township=None, round_code=None, scope_unit=scope_unit, min_sample=min_sample,
        weights=weights))
    run("league_townships", "league_townships", league.township_params(
        as_of, per.start, county=county, unit=None, round_code=None, scope_unit=scope_unit, min_sample=min_sample,
        weights=weights))

    # 全县问题指标：本期末与上期末
    shared = {"township": None, "unit": None, "round": None, "scope_unit": scope_unit}
    run("summary", "overview_problem_summary", {"as_of": as_of, "period_start": per.start, **shared})
    run("summary_prev", "overview_problem_summary", {"as_of": per.start, "period_start": per.prev_start, **shared})

    # 热点：镇街汇总、反弹
    boundaries = run("boundaries", "hotspot_boundaries", {"county": county, "as_of": as_of})
    county_rows = boundaries[boundaries["level"] == "县级"]
    ring = hotspots.county_ring(county_rows.iloc[0]["geom_wkb"] if not county_rows.empty else None)
    rebound_days = settings.get("rebound_days")

    def hp(at, start, statuses=()):
        return hotspots.query_params({"as_of": at, "period_start": start, **shared},
                                     hotspots.PageFilters(statuses=statuses), {}, rebound_days=rebound_days,
                                     county_ring=ring)

    run("hot_townships", "hotspot_townships", {**hp(as_of, per.start), "county": county})
    run("hot_summary", "hotspot_summary", hp(as_of, per.start))
    run("hot_summary_prev", "hotspot_summary", hp(per.start, per.prev_start))
    run("rebounds", "hotspot_points", {**hp(as_of, per.start, ("反弹",)), "limit": REBOUND_ROWS})

    brief.frames, brief.params = frames, params
    brief.digest = data_digest(frames, params)
    return brief


def _before(df: pd.DataFrame, as_of: datetime) -> pd.DataFrame:
    """统计时刻之前已结束的轮次（通报回看某一时刻时，不出现之后才测评的成绩）。"""
    if df.empty or "end_date" not in df:
        return df
    ends = pd.to_datetime(df["end_date"])
    return df[ends <= pd.Timestamp(as_of)].reset_index(drop=True)


# ---------------------------------------------------------------- 幻灯片内容（纯数据，测试可直接核对）

def rank_series(brief: Brief) -> tuple[list[str], list[float | None], int]:
    """名次走势原生图的数据：类别（轮次）、本县名次（缺测为空）、组内单位数上限。"""
    hist = _before(brief.frames["rank_history_ours"], brief.as_of)
    ranks = [None if pd.isna(r) else int(r) for r in hist["rank"]]
    size = int(hist["group_size"].max()) if hist["group_size"].notna().any() else 1
    return hist["round_label"].astype(str).tolist(), ranks, max(size, brief.target_rank or 1)


def part_series(brief: Brief) -> tuple[list[str], dict[str, list[float | None]]]:
    """板块差距原生图的数据：板块名，系列 本县/组内最高/组内平均/对标单位。"""
    parts = brief.frames.get("rank_parts")
    if parts is None or parts.empty:
        return [], {}
    rows = parts[parts["level"] == "板块"].sort_values("node_code")
    target = rows["target_unit_name"].dropna()
    target_label = f"对标单位（{target.iloc[0]}）" if len(target) else "对标单位"

    def vals(col):
        return [None if pd.isna(v) else round(float(v), 2) for v in rows[col]]

    return rows["node_name"].tolist(), {"本县": vals("our_score"), "组内最高": vals("best_score"),
                                         "组内平均": vals("average_score"), target_label: vals("target_unit_score")}


def overdue_series(brief: Brief, top: int = TABLE_ROWS) -> tuple[list[str], dict[str, list[int]]]:
    """逾期按牵头单位（逾期数最多的前 top 个；并列按名称）：三段逾期天数。"""
    units = brief.frames["league_units"]
    rows = units[units["overdue"] > 0].sort_values(["overdue", "unit_name"], ascending=[False, True]).head(top)
    return rows["unit_name"].tolist(), {
        "逾期1–7天": [int(v) for v in rows["overdue_1_7"]],
        "逾期8–30天": [int(v) for v in rows["overdue_8_30"]],
        "逾期30天以上": [int(v) for v in rows["overdue_over_30"]],
    }


def _change(now, before) -> str:
    if now is None or before is None:
        return "—"
    diff = now - before
    if abs(diff) < 1e-9:
        return "持平"
    return f"+{diff:g}" if diff > 0 else f"−{-diff:g}"


def changes_table(brief: Brief) -> pd.DataFrame:
    """与上期相比：期内新增、期内销号、按期销号率、期末在办、期末逾期、反弹。"""
    now = brief.frames["summary"].query("grouping_kind == '合计'").iloc[0]
    before = brief.frames["summary_prev"].query("grouping_kind == '合计'").iloc[0]
    hot, hot_prev = brief.frames["hot_summary"].iloc[0], brief.frames["hot_summary_prev"].iloc[0]
    rows = [
        ("期内新增问题", int(hot["problems"]), int(hot["problems_prev"])),
        ("期内销号", int(now["closed_in_period"]), int(before["closed_in_period"])),
        ("期末未销号问题", int(now["open_now"]), int(before["open_now"])),
        ("期末逾期未整改", int(now["overdue_now"]), int(before["overdue_now"])),
        ("期内反弹（同点位同类别再次发现）", int(hot["rebounds"]), int(hot_prev["rebounds"])),
    ]
    out = [{"指标": n, PERIOD_WORDS[brief.period.key]: formats.count(a), PREVIOUS_WORDS[brief.period.key]: formats.count(b),
            "变化": _change(a, b)} for n, a, b in rows]
    rate_now = formats.rate(now["closed_on_time_in_period"], now["closed_in_period"])
    rate_before = formats.rate(before["closed_on_time_in_period"], before["closed_in_period"])
    out.insert(2, {"指标": "按期销号率", PERIOD_WORDS[brief.period.key]: rate_now,
                   PREVIOUS_WORDS[brief.period.key]: rate_before, "变化": "—"})
    ranks = rank_series(brief)[1]
    scored = [r for r in ranks if r is not None]
    if scored:
        out.append({"指标": f"{ROUND_TYPE}全省名次（最近两轮）", PERIOD_WORDS[brief.period.key]: f"第{scored[-1]}名",
                    PREVIOUS_WORDS[brief.period.key]: f"第{scored[-2]}名" if len(scored) > 1 else "—",
                    "变化": formats.rank_change(scored[-1], scored[-2]) or "—" if len(scored) > 1 else "—"})
    return pd.DataFrame(out)


def rebound_table(brief: Brief) -> pd.DataFrame:
    rows = brief.frames["rebounds"]
    return pd.DataFrame({
        "问题编号": rows["problem_code"].astype(str).to_numpy(),
        "发现时间": [formats.moment(v) for v in rows["found_at"]],
        "点位": rows["site_name"].fillna("—").to_numpy(),
        "类别": rows["category"].to_numpy(),
        "牵头单位": rows["unit_name"].to_numpy(),
        "状态": rows["status"].to_numpy(),
    })


def hot_townships_table(brief: Brief, top: int = 8) -> pd.DataFrame:
    rows = brief.frames["hot_townships"]
    rows = rows[rows["code"].notna()].sort_values(["problems", "sort_key"], ascending=[False, True]).head(top)
    return pd.DataFrame({"镇街": rows["name"].to_numpy(), "问题数": [formats.count(v) for v in rows["problems"]],
                         "在办": [formats.count(v) for v in rows["open_now"]],
                         "逾期": [formats.count(v) for v in rows["overdue_now"]],
                         "反弹": [formats.count(v) for v in rows["rebounds"]]})


SLIDE_TITLES = (
    "封面",
    "测评名次走势",
    "全省名次走势：本县与对手",
    "各板块得分差距",
    "红黑榜：部门（条）",
    "红黑榜：属地单位（块）",
    "红黑榜：镇街",
    "问题热点分布",
    "逾期问题（按牵头单位）",
    "反弹问题清单",
    "与上期相比",
    "数据来源与口径",
)


def slide_titles(brief: Brief) -> list[str]:
    """每页标题（页面预览用；封面显示通报名称与期数）。"""
    return [f"{brief.title} 第{brief.issue_no}期", *SLIDE_TITLES[1:]]


# ---------------------------------------------------------------- 绘制

def set_ea(rpr, typeface: str = EA_TYPEFACE) -> None:
    """在 a:rPr / a:defRPr 上写东亚字体 <a:ea>（紧跟 <a:latin> 之后，符合架构顺序）。"""
    # 标明文字是简体中文：LibreOffice 缺字体时据此选简体字形（否则可能退到日文字形）
    rpr.set("lang", "zh-CN")
    rpr.set("altLang", "en-US")
    for old in rpr.findall(qn("a:ea")):
        rpr.remove(old)
    ea = etree.SubElement(rpr, qn("a:ea"))
    ea.set("typeface", typeface)
    latin = rpr.find(qn("a:latin"))
    if latin is not None:
        latin.addnext(ea)
    else:
        rpr.remove(ea)
        # 没有 latin 时插到 cs/sym/hlink 等之前
        for i, child in enumerate(rpr):
            if child.tag in {qn("a:cs"), qn("a:sym"), qn("a:hlinkClick"), qn("a:hlinkMouseOver"), qn("a:rtl"),
                             qn("a:extLst")}:
                rpr.insert(i, ea)
                break
        else:
            rpr.append(ea)


def _style(font, size: float, bold: bool = False, color: RGBColor = DARK) -> None:
    font.size = Pt(size)
    font.bold = bold
    font.color.rgb = color
    font.name = LATIN_TYPEFACE
    set_ea(font._rPr)


def _text(slide, x, y, w, h, lines, size=16, bold=False, color=DARK, align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP):
    """文本框：lines 为字符串或 (文字, 字号, 加粗, 颜色) 列表。"""
    box = slide.shapes.add_textbox(x, y, w, h)
    tf = box.text_frame
    tf.word_wrap = True
    tf.vertical_anchor = anchor
    for i, line in enumerate(lines if isinstance(lines, list) else [lines]):
        text, sz, b, c = (line, size, bold, color) if isinstance(line, str) else line
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.alignment = align
        run = p.add_run()
        run.text = text
        _style(run.font, sz, b, c)
    return box


def _bar(slide, x1, y1, x2, y2, width) -> None:
    """装饰色条画成粗线（连接线没有文本框，不会留下空文本框）。"""
    line = slide.shapes.add_connector(1, x1, y1, x2, y2)
    line.line.color.rgb = RED
    line.line.width = width


def _frame(prs, brief: Brief, title: str, page: int):
    """内容页的版式：左上红色竖条 + 标题，底部页脚（期数、数据截至、统计时刻、数据指纹、页码），备注写完整指纹。"""
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _bar(slide, Inches(0.56), Inches(0.42), Inches(0.56), Inches(1.02), Inches(0.12))
    _text(slide, Inches(0.75), Inches(0.3), Inches(12), Inches(0.8), title, size=28, bold=True)
    line = slide.shapes.add_connector(1, Inches(0.5), Inches(1.15), Inches(12.83), Inches(1.15))
    line.line.color.rgb = LIGHT
    footer = (f"{brief.title} 第{brief.issue_no}期　|　数据截至 {formats.moment(brief.cutoff)}　|　"
              f"统计时刻 {formats.moment(brief.as_of)}　|　数据指纹 {brief.short_digest}")
    _text(slide, Inches(0.5), Inches(7.0), Inches(11.3), Inches(0.35), footer, size=10, color=GREY)
    _text(slide, Inches(11.9), Inches(7.0), Inches(0.95), Inches(0.35), f"{page}", size=10, color=GREY,
          align=PP_ALIGN.RIGHT)
    slide.notes_slide.notes_text_frame.text = (
        f"{title}。统计区间 {brief.period_text}，上期 {brief.previous_text}。"
        f"数据截至 {formats.moment(brief.cutoff)}；数据指纹 SHA-256 {brief.digest}。")
    return slide


def _chart_fonts(chart, size: float = 12) -> None:
    chart.font.size = Pt(size)
    chart.font.name = LATIN_TYPEFACE
    chart.font.color.rgb = DARK
    set_ea(chart.font._rPr)


def _legend(chart) -> None:
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False


def _table(slide, df: pd.DataFrame, x, y, w, *, size: float = 13, widths: list[float] | None = None,
           header_color: RGBColor = LIGHT, header_text: RGBColor = DARK, row_h: float = 0.38):
    """原生表格：表头底色、文字一律写值（空值写“—”，不留空单元格）。"""
    rows, cols = len(df) + 1, len(df.columns)
    shape = slide.shapes.add_table(rows, cols, x, y, w, Inches(row_h * rows))
    table = shape.table
    if widths:
        total = sum(widths)
        for i, wt in enumerate(widths):
            table.columns[i].width = Emu(int(w * wt / total))
    for c, name in enumerate(df.columns):
        _cell(table.cell(0, c), str(name), size, True, header_text, header_color)
    for r, row in enumerate(df.itertuples(index=False, name=None), start=1):
        for c, value in enumerate(row):
            text = "—" if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "" else str(value)
            _cell(table.cell(r, c), text, size, False, DARK, WHITE if r % 2 else RGBColor(0xF7, 0xF8, 0xF9))
    return shape


def _cell(cell, text: str, size: float, bold: bool, color: RGBColor, fill: RGBColor) -> None:
    cell.fill.solid()
    cell.fill.fore_color.rgb = fill
    cell.margin_left = cell.margin_right = Inches(0.06)
    cell.margin_top = cell.margin_bottom = Inches(0.03)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    tf = cell.text_frame
    tf.word_wrap = True
    p = tf.paragraphs[0]
    run = p.add_run()
    run.text = text
    _style(run.font, size, bold, color)


def _title_slide(prs, brief: Brief) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _bar(slide, 0, Inches(0.175), SLIDE_W, Inches(0.175), Inches(0.35))
    unit = f"{brief.county_name}创建文明城市工作指挥部办公室" if brief.county_name else "创建文明城市工作指挥部办公室"
    lines = [(f"第{brief.issue_no}期", 24, True, RED), (brief.title, 40, True, DARK), ("", 12, False, DARK),
             (f"数据截至 {formats.moment(brief.cutoff)}　|　统计时刻 {formats.moment(brief.as_of)}", 18, False, DARK),
             (f"统计区间 {brief.period_text}", 18, False, DARK),
             (f"本轮：{brief.period.round_name}" if brief.period.round_name else " ", 18, False, DARK),
             ("", 12, False, DARK), (unit, 20, False, GREY)]
    if brief.is_demo:
        lines.append(("示例数据：地名、单位和数字均为虚构，仅供演示", 16, True, RED))
    _text(slide, Inches(1.0), Inches(1.5), Inches(11.3), Inches(4.8), [(t or " ", s, b, c) for t, s, b, c in lines],
          align=PP_ALIGN.CENTER)
    _text(slide, Inches(1.0), Inches(6.7), Inches(11.3), Inches(0.4),
          f"数据指纹（SHA-256）{brief.digest}", size=10, color=GREY, align=PP_ALIGN.CENTER)
    slide.notes_slide.notes_text_frame.text = (
        f"{brief.title} 第{brief.issue_no}期；统计时刻 {formats.moment(brief.as_of)}；数据指纹 SHA-256 {brief.digest}。"
        "同一统计时刻、同一份数据重新生成，数字与指纹相同。")


def _rank_slide(prs, brief: Brief, page: int) -> None:
    slide = _frame(prs, brief, SLIDE_TITLES[1], page)
    cats, ranks, max_rank = rank_series(brief)
    if not cats:
        _text(slide, Inches(0.8), Inches(2.5), Inches(11.5), Inches(1), f"统计时刻之前还没有{ROUND_TYPE}成绩。", size=20)
        return
    data = CategoryChartData(number_format="0")
    data.categories = cats
    data.add_series(f"{brief.county_name}名次", ranks)
    if brief.target_rank:
        data.add_series(f"目标：前{brief.target_rank}名", [brief.target_rank] * len(cats))
    gf = slide.shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, Inches(0.5), Inches(1.3), Inches(8.6), Inches(5.6), data)
    chart = gf.chart
    _chart_fonts(chart)
    _legend(chart)
    axis = chart.value_axis
    axis.reverse_order = True          # 名次 1 在最上
    # 刻度取整（1–10 名逐个，更多时每 5 名）：从 0 起算、0 不显示，刻度才落在 5、10、15……
    step = 1 if max_rank <= 10 else 5
    axis.minimum_scale = 0
    axis.maximum_scale = -(-max_rank // step) * step
    axis.major_unit = step
    axis.crosses = XL_AXIS_CROSSES.MAXIMUM   # 轴反向后让轮次标签留在底部
    axis.has_major_gridlines = True
    axis.major_gridlines.format.line.color.rgb = LIGHT
    axis.tick_labels.number_format = '0;-0;""'
    axis.tick_labels.number_format_is_linked = False
    plot = chart.plots[0]
    ours = plot.series[0]
    ours.format.line.color.rgb = RED
    ours.format.line.width = Pt(3.5)
    ours.smooth = False
    plot.has_data_labels = True
    plot.data_labels.number_format = '"第"0"名"'
    plot.data_labels.number_format_is_linked = False
    plot.data_labels.position = XL_LABEL_POSITION.ABOVE
    _style(plot.data_labels.font, 11, False, DARK)
    if brief.target_rank:
        target = plot.series[1]
        target.format.line.color.rgb = BLUE
        target.format.line.dash_style = 4  # 虚线
        target.marker.style = XL_MARKER_STYLE.NONE
        target.data_labels.show_value = False
    scored = [(c, r) for c, r in zip(cats, ranks) if r is not None]
    hist = _before(brief.frames["rank_history_ours"], brief.as_of)
    last = hist[hist["rank"].notna()].iloc[-1] if hist["rank"].notna().any() else None
    lines = [("要点", 20, True, RED)]
    if last is not None:
        lines.append((f"最近一轮（{last['round_name']}）：全省第{int(last['rank'])}名 / 共{int(last['group_size'])}个，"
                      f"得分 {formats.points(last['total'])}。", 16, False, DARK))
    if len(scored) > 1:
        lines.append((f"与上一轮（{scored[-2][0]}）相比：{formats.rank_change(scored[-1][1], scored[-2][1]) or '持平'}。",
                      16, False, DARK))
        best = min(r for _, r in scored)
        lines.append((f"{scored[0][0]}以来最好名次：第{best}名。", 16, False, DARK))
    if brief.target_rank and scored:
        gap = scored[-1][1] - brief.target_rank
        lines.append((f"目标：进入全省前{brief.target_rank}名；" + ("已达到。" if gap <= 0 else f"还差 {gap} 个名次。"),
                      16, True, RED if gap > 0 else GREEN))
    lines.append(("名次为竞争排名（并列同名次），缺测轮次不画点；1 在最上。", 12, False, GREY))
    _text(slide, Inches(9.3), Inches(1.5), Inches(3.6), Inches(5.2), lines)


def _bump_slide(prs, brief: Brief, page: int, png: bool) -> None:
    slide = _frame(prs, brief, SLIDE_TITLES[2], page)
    hist = _before(brief.frames["rank_history_all"], brief.as_of)
    county = brief.county_code
    image = None
    if png and not hist.empty:
        rivals = ranking.default_rivals(brief.rival_codes, sorted(hist["region_code"].unique()), hist, county)
        shown = ranking.shown_units(hist, county, brief.target_rank or 10, rivals)
        fig = charts.rank_bump(hist, county, shown, brief.target_rank, rivals, height=500)
        try:
            # 画布按幻灯片比例取 1150×500，放大 2 倍：插到 12.3 英寸宽时字号与正文相当
            image = export_png.figure_png(fig, width=1150, height=500, scale=2)
        except export_png.PngUnavailable as exc:
            brief.notes.append(str(exc))
    if image is not None:
        slide.shapes.add_picture(io.BytesIO(image), Inches(0.5), Inches(1.3), width=Inches(12.3))
        return
    # 没有浏览器：改用原生折线图（得分走势），并写明原因
    stats = _before(brief.frames["rank_stats"], brief.as_of)
    if stats.empty:
        _text(slide, Inches(0.8), Inches(2.5), Inches(11.5), Inches(1), f"统计时刻之前还没有{ROUND_TYPE}成绩。", size=20)
        return
    data = CategoryChartData(number_format="0.00")
    data.categories = stats["round_label"].astype(str).tolist()

    def vals(col):
        return [None if pd.isna(v) else round(float(v), 2) for v in stats[col]]

    data.add_series(f"{brief.county_name}得分", [None if s != "正常" else round(float(t), 2)
                                              for s, t in zip(stats["our_status"], stats["our_total"])])
    data.add_series("组内最高", vals("best_total"))
    data.add_series("组内中位数", vals("median_total"))
    if brief.target_rank:
        data.add_series(f"第{brief.target_rank}名得分（目标线）", vals("target_total"))
    gf = slide.shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, Inches(0.5), Inches(1.3), Inches(12.3), Inches(4.9), data)
    _chart_fonts(gf.chart)
    _legend(gf.chart)
    for s, color in zip(gf.chart.plots[0].series, SERIES_COLORS):
        s.format.line.color.rgb = color
        s.smooth = False
    values = [v for col in ("our_total", "best_total", "median_total", "target_total") for v in stats[col].dropna()]
    axis = gf.chart.value_axis
    axis.minimum_scale = max(0, (int(min(values)) // 5 - 1) * 5) if values else 0   # 不从 0 起，差距看得清
    axis.major_gridlines.format.line.color.rgb = LIGHT
    reason = brief.notes[-1] if brief.notes else "本次生成时选择了不导出图片。"
    _text(slide, Inches(0.5), Inches(6.25), Inches(12.3), Inches(0.7),
          [(f"未插入全组名次走势图，以得分走势代替：{reason}", 12, False, GREY)])


def _parts_slide(prs, brief: Brief, page: int) -> None:
    slide = _frame(prs, brief, SLIDE_TITLES[3], page)
    cats, series = part_series(brief)
    if not cats:
        _text(slide, Inches(0.8), Inches(2.5), Inches(11.5), Inches(1), "统计时刻之前本县还没有测评成绩或分项成绩。",
              size=20)
        return
    data = CategoryChartData(number_format="0.00")
    data.categories = cats
    for name, values in series.items():
        data.add_series(name, values)
    gf = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(0.5), Inches(1.3), Inches(8.4), Inches(5.6), data)
    chart = gf.chart
    _chart_fonts(chart)
    _legend(chart)
    plot = chart.plots[0]
    plot.gap_width = 60
    plot.has_data_labels = True
    plot.data_labels.number_format = "0.0"
    plot.data_labels.number_format_is_linked = False
    plot.data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
    _style(plot.data_labels.font, 9, False, DARK)
    for s, color in zip(plot.series, SERIES_COLORS):
        s.format.fill.solid()
        s.format.fill.fore_color.rgb = color
    chart.value_axis.has_major_gridlines = True
    chart.value_axis.major_gridlines.format.line.color.rgb = LIGHT
    parts = brief.frames["rank_parts"]
    items = ranking.part_gap_rows(parts, "测评项目", "组内最高").head(5)
    stats = _before(brief.frames["rank_stats"], brief.as_of)
    latest = ranking.latest_scored_round(stats)
    lines = [("差距最大的测评项目（与组内最高比）", 18, True, RED)]
    for _, r in items.iterrows():
        lines.append((f"{r['node_name']}：本县 {formats.points(r['our_score'])}，最高 {formats.points(r['best_score'])}，"
                      f"差 {formats.points(r['gap'])} 分", 14, False, DARK))
    lines.append((f"轮次：{latest['round_name']}。各分项满分见测评体系；对标单位为本轮其他单位中第 "
                  f"{brief.target_rank or 1} 名。", 12, False, GREY))
    _text(slide, Inches(9.1), Inches(1.4), Inches(3.8), Inches(5.4), lines)


def _board_slide(prs, brief: Brief, page: int, title: str, rows: pd.DataFrame, name_col: str, what: str) -> None:
    slide = _frame(prs, brief, title, page)
    red, black = league.boards(rows, name_col=name_col)
    for x, label, table, color in ((Inches(0.5), "红榜（前 5 名）", red, RED),
                                   (Inches(6.85), "黑榜（倒数 5 名）", black, DARK)):
        _text(slide, x, Inches(1.3), Inches(6), Inches(0.5), label, size=20, bold=True, color=color)
        if table.empty:
            _text(slide, x, Inches(1.9), Inches(6), Inches(1), f"本期没有达到最少样本数的可排名{what}。", size=14, color=GREY)
        else:
            _table(slide, table, x, Inches(1.9), Inches(6.0), size=14, widths=[1, 3, 1.5, 1.5],
                   header_color=color, header_text=WHITE, row_h=0.45)
    excluded = int(rows["sample"].lt(settings.get("min_sample")).sum()) if len(rows) else 0
    _text(slide, Inches(0.5), Inches(5.9), Inches(12.3), Inches(1.0), [
        (league.formula_text(league.Weights.from_setting(settings.get("league_weights"))), 12, False, GREY),
        (f"统计区间 {brief.period_text}；变化与{PREVIOUS_WORDS[brief.period.key]}比较；"
         f"样本不足 {settings.get('min_sample')} 条的{what}不排名（本期 {excluded} 个）；并列同名次。", 12, False, GREY)])


def _map_slide(prs, brief: Brief, page: int) -> None:
    slide = _frame(prs, brief, SLIDE_TITLES[7], page)
    png = export_png.hotspot_map_png(brief.frames["boundaries"], brief.frames["hot_townships"],
                                     title=f"{brief.county_name}各镇街问题数", subtitle=f"统计区间 {brief.period_text}",
                                     width=1500, height=1000)
    slide.shapes.add_picture(io.BytesIO(png), Inches(0.5), Inches(1.3), height=Inches(5.6))
    hot = brief.frames["hot_summary"].iloc[0]
    _text(slide, Inches(9.1), Inches(1.3), Inches(3.8), Inches(0.9), [
        (f"期内问题 {formats.count(hot['problems'])} 条", 18, True, RED),
        (f"{PREVIOUS_WORDS[brief.period.key]} {formats.count(hot['problems_prev'])} 条；"
         f"在办 {formats.count(hot['open_now'])}，逾期 {formats.count(hot['overdue_now'])}", 13, False, DARK)])
    _table(slide, hot_townships_table(brief), Inches(9.1), Inches(2.4), Inches(3.8), size=11,
           widths=[2.2, 1.2, 1, 1, 1], row_h=0.4)


def _overdue_slide(prs, brief: Brief, page: int) -> None:
    slide = _frame(prs, brief, SLIDE_TITLES[8], page)
    cats, series = overdue_series(brief)
    total = brief.frames["summary"].query("grouping_kind == '合计'").iloc[0]
    if not cats:
        _text(slide, Inches(0.8), Inches(2.5), Inches(11.5), Inches(1), "截至统计时刻没有逾期未整改的问题。", size=20,
              color=GREEN)
        return
    data = CategoryChartData(number_format="0")
    data.categories = list(reversed(cats))        # 条形图自下而上：反过来让逾期最多的在最上
    for name, values in series.items():
        data.add_series(name, list(reversed(values)))
    gf = slide.shapes.add_chart(XL_CHART_TYPE.BAR_STACKED, Inches(0.5), Inches(1.3), Inches(8.8), Inches(5.6), data)
    chart = gf.chart
    _chart_fonts(chart, 12)
    _legend(chart)
    plot = chart.plots[0]
    plot.gap_width = 50
    for s, color in zip(plot.series, OVERDUE_COLORS):
        s.format.fill.solid()
        s.format.fill.fore_color.rgb = color
    chart.value_axis.has_major_gridlines = True
    chart.value_axis.major_gridlines.format.line.color.rgb = LIGHT
    chart.value_axis.tick_labels.number_format = "0"
    chart.value_axis.tick_labels.number_format_is_linked = False
    _text(slide, Inches(9.5), Inches(1.4), Inches(3.4), Inches(5.4), [
        (f"全县逾期未整改 {formats.count(total['overdue_now'])} 条", 20, True, RED),
        (f"未销号问题 {formats.count(total['open_now'])} 条（截至统计时刻）", 15, False, DARK),
        (f"图中为逾期最多的 {len(cats)} 个牵头单位，按逾期天数分段。", 13, False, DARK),
        ("逾期：未销号且整改期限早于统计时刻；无期限的问题不计逾期。按牵头单位归属，"
         "整改记录顺序存疑的问题不计入（见红黑榜页数据质量）。", 12, False, GREY)])


def _rebound_slide(prs, brief: Brief, page: int) -> None:
    slide = _frame(prs, brief, SLIDE_TITLES[9], page)
    hot = brief.frames["hot_summary"].iloc[0]
    days = settings.get("rebound_days")
    _text(slide, Inches(0.5), Inches(1.25), Inches(12.3), Inches(0.8), [
        (f"期内反弹 {formats.count(hot['rebounds'])} 条：同一点位、同一类别的问题在上一次销号后 {days} 天内再次发现，"
         f"或销号后 {days} 天内被反弹重开。下表为最新的 {min(REBOUND_ROWS, int(hot['rebounds']))} 条。", 14, False, DARK)])
    table = rebound_table(brief)
    if table.empty:
        _text(slide, Inches(0.5), Inches(2.2), Inches(12), Inches(1), "本期没有反弹问题。", size=18, color=GREEN)
        return
    _table(slide, table, Inches(0.5), Inches(2.05), Inches(12.3), size=12, widths=[1.7, 1.9, 2.4, 1.3, 1.9, 1.1],
           row_h=0.4)


def _changes_slide(prs, brief: Brief, page: int) -> None:
    slide = _frame(prs, brief, SLIDE_TITLES[10], page)
    table = changes_table(brief)
    _table(slide, table, Inches(0.5), Inches(1.4), Inches(8.5), size=15, widths=[3.2, 1.4, 1.4, 1.2], row_h=0.55)
    units = brief.frames["league_units"]
    moved = units[units["rank_change"].notna() & (units["rank_change"] != 0)]
    up = moved.sort_values(["rank_change", "unit_name"], ascending=[False, True]).head(3)
    down = moved.sort_values(["rank_change", "unit_name"], ascending=[True, True]).head(3)
    lines = [("红黑榜名次变化最大的单位", 18, True, RED)]
    lines += [(f"↑ {r['unit_name']}：第{int(r['prev_rank'])}名 → 第{int(r['rank'])}名", 14, False, GREEN)
              for _, r in up.iterrows() if r["rank_change"] > 0]
    lines += [(f"↓ {r['unit_name']}：第{int(r['prev_rank'])}名 → 第{int(r['rank'])}名", 14, False, RED)
              for _, r in down.iterrows() if r["rank_change"] < 0]
    if len(lines) == 1:
        lines.append(("与上期相比名次没有变化（或上期无可比数据）。", 14, False, DARK))
    lines.append((f"本期 {brief.period_text}；{PREVIOUS_WORDS[brief.period.key]} {brief.previous_text}。",
                  12, False, GREY))
    _text(slide, Inches(9.3), Inches(1.4), Inches(3.6), Inches(5.4), lines)


DEFINITION_QUERIES = ("overview_problem_summary", "league_units", "hotspot_summary", "overview_rank_history",
                      "rank_part_gap")


def _sources_slide(prs, brief: Brief, page: int) -> None:
    slide = _frame(prs, brief, SLIDE_TITLES[11], page)
    lines = [(f"统计时刻 {formats.moment(brief.as_of)}；数据截至 {formats.moment(brief.cutoff)}；"
              f"统计区间 {brief.period_text}。", 13, False, DARK),
             (f"数据指纹（SHA-256）：{brief.digest}", 12, False, DARK),
             ("同一统计时刻、同一份数据重新生成本通报，所有数字与数据指纹都相同；数据有更新时指纹随之改变。", 12, False, GREY),
             ("", 8, False, DARK)]
    for name in DEFINITION_QUERIES:
        for m in queries.load(name).metrics[:3]:
            lines.append((f"{m.name}：{m.formula}。分母：{m.denominator}。", 11, False, DARK))
    used = sorted({queries.load(n).name for n in _query_names(brief)})
    lines.append((f"所用查询：{'、'.join(used)}（queries/*.sql）。", 10, False, GREY))
    _text(slide, Inches(0.5), Inches(1.3), Inches(12.3), Inches(5.6), lines)


def _query_names(brief: Brief) -> list[str]:
    names = {"span": "briefing_data_span", "briefing_period_round": "briefing_period_round",
             "rank_history_ours": "overview_rank_history", "rank_history_all": "rank_history",
             "rank_stats": "rank_round_stats", "rank_parts": "rank_part_gap", "league_units": "league_units",
             "league_townships": "league_townships", "summary": "overview_problem_summary",
             "summary_prev": "overview_problem_summary", "boundaries": "hotspot_boundaries",
             "hot_townships": "hotspot_townships", "hot_summary": "hotspot_summary",
             "hot_summary_prev": "hotspot_summary", "rebounds": "hotspot_points"}
    return [names[k] for k in brief.frames if k in names]


def deck(brief: Brief, *, png: bool = True) -> bytes:
    """把一期通报画成 16:9 PPTX（字节）。png=False 时不调用浏览器（复杂图改用原生图并写明）。"""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    _title_slide(prs, brief)
    _rank_slide(prs, brief, 2)
    _bump_slide(prs, brief, 3, png)
    _parts_slide(prs, brief, 4)
    units = brief.frames["league_units"]
    _board_slide(prs, brief, 5, SLIDE_TITLES[4], units[units["kind"] == "条"], "unit_name", "部门")
    _board_slide(prs, brief, 6, SLIDE_TITLES[5], units[units["kind"] == "块"], "unit_name", "属地单位")
    _board_slide(prs, brief, 7, SLIDE_TITLES[6], brief.frames["league_townships"], "township_name", "镇街")
    _map_slide(prs, brief, 8)
    _overdue_slide(prs, brief, 9)
    _rebound_slide(prs, brief, 10)
    _changes_slide(prs, brief, 11)
    _sources_slide(prs, brief, 12)

    cp = prs.core_properties
    cp.title = f"{brief.title} 第{brief.issue_no}期"
    cp.subject = f"统计时刻 {formats.moment(brief.as_of)}；统计区间 {brief.period_text}"
    cp.author = cp.last_modified_by = "创文看板"
    cp.category = PERIODS[brief.period.key]
    cp.keywords = f"数据指纹 sha256:{brief.digest}"
    cp.comments = (f"统计时刻 {brief.as_of.isoformat(sep=' ')}；数据截至 {brief.cutoff.isoformat(sep=' ')}；"
                   f"数据指纹 sha256:{brief.digest}")
    cp.identifier = f"sha256:{brief.digest}"
    cp.revision = brief.issue_no
    # 文档时间取统计时刻而非系统时钟：同一统计时刻生成的文件属性一致
    cp.created = cp.modified = brief.as_of
    cp.last_printed = brief.as_of
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def build(con: duckdb.DuckDBPyConnection, *, as_of: datetime | None = None, period: str = "week",
          issue_no: int | None = None, png: bool = True, scope_unit: str | None = None) -> tuple[bytes, Brief]:
    """取数并生成幻灯片：返回 (PPTX 字节, Brief)。统计时刻没有数据时抛 NoData（不生成空幻灯片）。"""
    brief = collect(con, as_of=as_of, period=period, issue_no=issue_no, scope_unit=scope_unit)
    return deck(brief, png=png), brief


def file_name(brief: Brief) -> str:
    return f"{brief.county_name}{PERIODS[brief.period.key]}_第{brief.issue_no}期_{brief.as_of:%Y%m%d}.pptx"


def as_of_for_day(day: date, cutoff: datetime) -> datetime:
    """页面选的统计日 → 统计时刻：数据截至那天取数据截至时刻，更早的日子取当天 23:59:59（与侧栏同一规则）。"""
    if day >= cutoff.date():
        return cutoff
    return datetime.combine(day, time(23, 59, 59))


def league_workbook(brief: Brief) -> bytes:
    """本期红黑榜（部门、属地单位、镇街）Excel：中文表头、首行冻结、列宽按中文估算、公式注入防护（chuangwen.excel）。"""
    units = brief.frames["league_units"]
    sheets = {
        "部门（条）": league.display_table(units[units["kind"] == "条"], name_col="unit_name", name_label="牵头单位"),
        "属地单位（块）": league.display_table(units[units["kind"] == "块"], name_col="unit_name", name_label="牵头单位"),
        "镇街": league.display_table(brief.frames["league_townships"], name_col="township_name", name_label="镇街"),
    }
    return excel.to_xlsx(sheets, note=f"{brief.title} 第{brief.issue_no}期；统计区间 {brief.period_text}；"
                                      f"数据指纹 {brief.short_digest}；由创文看板导出")
