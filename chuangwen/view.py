"""查看口径（View）：一次页面运行、一条命令或一期通报“看的是什么”，每条规则只在这里写一次。

- 数据截至：meta.data_cutoff，没有时取库里最晚的发现或整改时间（meta.data_cutoff_derived）；“本周”“逾期”都相对它算，从不取系统时钟。
- 统计时刻 as_of 与统计区间起点 period_start（不含起点）；按日期选区间时，终点是数据截至那天就取数据截至时刻，更早的日子取当天 23:59:59。
- 侧栏筛选：镇街、牵头单位、测评轮次；查看范围 scope_unit（None = 全部单位）。
- 本县、目标名次：设置（CHUANGWEN_OUR_CODE、CHUANGWEN_TARGET_RANK）优先，其次库内 meta；对手、省名、是否示例数据来自 meta。
- 数据版本（快照）：页面读的是哪一版，画框钉住后随口径往下传（页面上写明第几版）。

画框由侧栏与网址构建（chuangwen.ui.frame），命令行由 --as-of 构建，通报由它的周期构建：都从 View.of(meta) 开始。
各查询从 params() 里取自己声明的参数（queries.bind 只绑定声明过的），页面不再逐个列参数。
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import duckdb

from chuangwen import formats, settings
from chuangwen.store import Snapshot
from chuangwen.vocabulary import MONTH, PERIOD_DAYS

DEFAULT_DAYS = PERIOD_DAYS[MONTH]  # 侧栏统计区间默认：数据截至时刻之前 30 天，与月通报同一窗口（精确到分钟）
HISTORY_YEARS = 10  # 库里没有最早时间时，日期控件往前放开的年数


class NoData(Exception):
    """库里还没有任何问题或整改记录，也没有写明数据截至时间。"""


def cutoff_of(meta: Mapping[str, str]) -> datetime | None:
    """数据截至时刻（规则见模块说明）；空库为 None。"""
    raw = meta.get("data_cutoff") or meta.get("data_cutoff_derived")
    return datetime.fromisoformat(raw) if raw else None


def day_end(day: date, cutoff: datetime) -> datetime:
    """选到某一天时的统计时刻：数据截至那天取数据截至时刻，更早的日子取当天 23:59:59。"""
    return cutoff if day >= cutoff.date() else datetime.combine(day, time(23, 59, 59))


def day_start(day: date) -> datetime:
    """从某一天起算的区间起点（不含）：当天 0 时前一微秒，0 时整发现的问题也算在内。"""
    return datetime.combine(day, time(0, 0)) - timedelta(microseconds=1)


@dataclass(frozen=True)
class View:
    cutoff: datetime  # 数据截至
    as_of: datetime  # 统计时刻
    period_start: datetime  # 统计区间起点（不含）
    first_day: date  # 数据最早的一天：日期控件与网址日期的下限
    county_code: str = ""
    county_name: str = ""
    province_name: str = ""
    target_rank: int | None = None
    rival_codes: str | None = None
    is_demo: bool = False
    snapshot: Snapshot | None = None  # 本次读的快照（页面由画框钉住；命令行与通报直接给连接，不用它）
    township: str | None = None
    unit: str | None = None
    round: str | None = None
    scope_unit: str | None = None  # 查看范围：None = 全部单位；按单位授权后由登录身份决定
    rebound_days: int = 30
    has_problems: bool = True  # 库里有没有问题台账（没有时各页说先导入什么）
    has_scores: bool = True  # 库里有没有测评成绩

    # ---------------------------------------------------------------- 构建

    @classmethod
    def of(
        cls,
        meta: Mapping[str, str],
        *,
        as_of: datetime | None = None,
        snapshot: Snapshot | None = None,
        scope_unit: str | None = None,
        chosen: Mapping[str, str] | None = None,
    ) -> View:
        """库的默认口径：统计时刻 = 数据截至（或给定的 as_of），区间 = 统计日及之前 30 天，不筛选。
        空库（没有数据截至）只在给了 as_of 时可用：数据截至按 as_of 算；否则抛 NoData。"""
        cutoff = cutoff_of(meta) or as_of
        if cutoff is None:
            raise NoData("库里还没有任何问题与整改记录，也没有写明数据截至时间。")
        # 本县（规则只在 settings.our_county）与目标名次：库的设置优先，其次环境变量，再次库内 meta
        chosen = chosen or {}
        county = settings.our_county(chosen, meta)
        target = (
            int(chosen["target_rank"])
            if chosen.get("target_rank")
            else settings.get("target_rank") or (int(meta["target_rank"]) if meta.get("target_rank") else None)
        )
        first = meta.get("data_first_at")
        first_day = (
            min(datetime.fromisoformat(first).date(), cutoff.date())
            if first
            else cutoff.date().replace(year=cutoff.year - HISTORY_YEARS, day=min(cutoff.day, 28))
        )
        view = cls(
            cutoff=cutoff,
            as_of=cutoff,
            period_start=cutoff,
            first_day=first_day,
            county_code=county,
            county_name=meta.get(f"region_name:{county}", "") if county else "",
            province_name=meta.get("province_name", ""),
            target_rank=target,
            rival_codes=meta.get("rival_region_codes"),
            is_demo=meta.get("is_demo") == "1",
            snapshot=snapshot,
            scope_unit=scope_unit,
            rebound_days=int(settings.get("rebound_days")),
            has_problems=meta.get("has_problems", "true") == "true",
            has_scores=meta.get("has_scores", "true") == "true",
        )
        view = view.for_days(*view.default_days)
        return view if as_of is None else view.at(as_of)

    def days_ending(self, end: date) -> tuple[date, date]:
        """以 end 为最后一天的默认区间：共 30 天，不早于数据最早的一天。"""
        return max(end - timedelta(days=DEFAULT_DAYS - 1), self.first_day), end

    @classmethod
    def of_store(
        cls,
        con: duckdb.DuckDBPyConnection,
        *,
        as_of: datetime | None = None,
        scope_unit: str | None = None,
        chosen: Mapping[str, str] | None = None,
    ) -> View:
        """命令行与通报：从一个打开的库连接构建（读 app_meta）；chosen 为库的设置（statedb.store_settings）。"""
        from chuangwen import queries

        meta = dict(queries.run(con, "app_meta").itertuples(index=False, name=None))
        return cls.of(meta, as_of=as_of, scope_unit=scope_unit, chosen=chosen)

    @property
    def unfiltered(self) -> bool:
        """侧栏没有筛选镇街、单位、轮次，查看范围是全部单位：这时结果为空只能是统计区间里没有数据。"""
        return self.township is None and self.unit is None and self.round is None and self.scope_unit is None

    @property
    def title_suffix(self) -> str:
        """标题里“ · 本县名称”（已转义）；本县没选定时为空，标题不会以“·”结尾。"""
        from chuangwen.escape import md

        return f" · {md(self.county_name)}" if self.county_name else ""

    @property
    def county_chosen(self) -> bool:
        """本县已选定且在排名组（地区表的县级单位）里：否则各页不显示“本县”的名次与差距，而是提示先选定本县。"""
        return bool(self.county_code and self.county_name)

    @property
    def default_start(self) -> datetime:
        """默认区间的起点（不含）：数据截至时刻前 30 天，与月通报、红黑榜按月同一窗口；不早于数据最早的一天。"""
        return max(self.cutoff - timedelta(days=DEFAULT_DAYS), day_start(self.first_day))

    @property
    def default_days(self) -> tuple[date, date]:
        """侧栏日期控件的默认值：默认区间起点所在的那天到数据截至日（选的正是这两天时，区间取 default_start 起，到分钟）。"""
        return (self.default_start + timedelta(microseconds=1)).date(), self.cutoff.date()

    def for_days(self, start: date | None, end: date | None) -> View:
        """按日期选的区间（两端都含）：夹到 [数据最早的一天, 数据截至日]，终点早于起点时取起点；缺的一端取默认。
        选的就是默认的两天时取默认区间（数据截至前 30 天，与月通报同一窗口），否则起点为所选第一天 0 时。"""
        last = self.cutoff.date()
        start = max(start or self.default_days[0], self.first_day)
        end = max(min(end or last, last), start)
        if (start, end) == self.default_days:
            return dataclasses.replace(self, as_of=self.cutoff, period_start=self.default_start)
        return dataclasses.replace(self, as_of=day_end(end, self.cutoff), period_start=day_start(start))

    @property
    def period_text(self) -> str:
        """统计区间的写法（页面标题下、导出的图注）：按日期选的写日期，默认区间（起点不在 0 时）写到分钟。"""
        if self.period_start.microsecond == 999999:  # day_start：所选第一天 0 时起
            return f"{formats.day(self.first_period_day)} 至 {formats.day(self.as_of)}"
        return f"{formats.moment(self.period_start)} 至 {formats.moment(self.as_of)}（不含起点）"

    def at(self, as_of: datetime, period_start: datetime | None = None) -> View:
        """同样的筛选，换一个统计时刻（与区间起点；不给起点时区间长度不变）。"""
        if period_start is None:
            period_start = as_of - (self.as_of - self.period_start)
        return dataclasses.replace(self, as_of=as_of, period_start=period_start)

    def on_day(self, day: date) -> View:
        """统计时刻换成某一天的（通报的统计日，规则同 day_end）；区间起点不动，通报按自己的周期另定。"""
        return self.at(day_end(day, self.cutoff), self.period_start)

    def filtered(self, *, township: str | None = None, unit: str | None = None, round: str | None = None) -> View:
        """侧栏筛选（None = 不限）；查看范围不因筛选改变。"""
        return dataclasses.replace(self, township=township, unit=unit, round=round)

    def audit_text(self) -> str:
        """审计记录里的“什么筛选”：统计区间、侧栏筛选与查看范围（代码，不含名称）。"""
        parts = [f"统计 {self.period_start:%Y-%m-%d %H:%M} 至 {self.as_of:%Y-%m-%d %H:%M}"]
        parts += [
            f"{label} {value}"
            for label, value in (
                ("镇街", self.township),
                ("牵头单位", self.unit),
                ("轮次", self.round),
                ("查看范围", self.scope_unit),
            )
            if value
        ]
        return "；".join(parts)

    def for_unit(self, unit: str) -> View:
        """同样的口径，牵头单位换成 unit（单位下钻）。"""
        return dataclasses.replace(self, unit=unit)

    # ---------------------------------------------------------------- 读

    @property
    def first_period_day(self) -> date:
        """统计区间的第一天（起点不含，所以是起点后一微秒所在的那天）。"""
        return (self.period_start + timedelta(microseconds=1)).date()

    @property
    def is_history(self) -> bool:
        """看的是数据截至之前的某个时点。"""
        return self.as_of < self.cutoff

    def params(self) -> dict[str, Any]:
        """查询可以声明的口径参数；每个查询只取自己声明的那几个。"""
        return {
            "as_of": self.as_of,
            "period_start": self.period_start,
            "township": self.township,
            "unit": self.unit,
            "round": self.round,
            "scope_unit": self.scope_unit,
            "county": self.county_code,
            # 没有目标名次时，差距按“第 1 名”算（查询里的对标单位）
            "target_rank": self.target_rank or 1,
            "rebound_days": self.rebound_days,
        }
