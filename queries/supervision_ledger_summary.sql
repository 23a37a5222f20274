-- name: supervision_ledger_summary
-- 用途: 整改督办台账上方的计数：当前筛选下的在办问题、逾期、逾期 30 天以上、7 天内到期、记录顺序存疑（与台账同一范围，台账只列前几条时计数仍按全部）
-- params: $as_of TIMESTAMP, $township VARCHAR, $unit VARCHAR, $round VARCHAR, $scope_unit VARCHAR, $involved_unit VARCHAR, $status VARCHAR, $overdue_only BOOLEAN, $due_this_week_only BOOLEAN
-- 指标: 在办问题（存量） | 口径: 截至统计时刻已发现、最后一个整改事件不是“已销号”的问题（含待交办、已交办、整改中、申请销号、退回整改、反弹重开） | 分母: —
-- 指标: 逾期（存量） | 口径: 在办且整改期限早于统计时刻的问题；没有期限的不逾期 | 分母: 在办问题（存量）
-- 指标: 逾期30天以上（存量） | 口径: 逾期天数（向上取整（(统计时刻 − 整改期限) ÷ 24 小时））超过 30 天的在办问题 | 分母: 在办问题（存量）
-- 指标: 7天内到期 | 口径: 在办、整改期限在统计时刻之后 7 天内（不含统计时刻、含第 7 天同一时刻）的问题 | 分母: 在办问题（存量）
-- 指标: 记录顺序存疑 | 口径: 在办问题中，截至统计时刻整改记录顺序不可能的（规则见红黑榜页数据质量清单；台账照常列出以便督办） | 分母: 在办问题（存量）
-- 指标: 涉及单位 | 口径: 选定单位为牵头单位或配合单位的问题 | 分母: —
with
-- include: _event_order_flags.sql  （整改记录顺序存疑的标记：发布时按规则派生）
-- include: _supervision_open.sql  （在办问题与台账筛选，台账、计数两个查询共用）
flagged as (
    select distinct problem_code from event_order_flags where flag_at <= $as_of
)
select count(*) as open_problems,
       count(*) filter (where o.is_overdue) as overdue,
       count(*) filter (where o.days_overdue > 30) as overdue_over_30,
       count(*) filter (where o.due_this_week) as due_this_week,
       count(f.problem_code) as flagged
from open_problems o
left join flagged f on f.problem_code = o.problem_code
