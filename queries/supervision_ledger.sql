-- name: supervision_ledger
-- 用途: 整改督办台账：截至统计时刻未销号的问题（按逾期天数从多到少，前 $limit 条；$limit 为空时全部），含整改期限、逾期天数、牵头与配合单位、当前状态、退回与反弹次数、记录顺序存疑标记；各项计数见 supervision_ledger_summary
-- params: $as_of TIMESTAMP, $township VARCHAR, $unit VARCHAR, $round VARCHAR, $scope_unit VARCHAR, $involved_unit VARCHAR, $status VARCHAR, $overdue_only BOOLEAN, $due_this_week_only BOOLEAN, $limit INTEGER
-- 指标: 逾期天数 | 口径: 向上取整（(统计时刻 − 整改期限) ÷ 24 小时）；未到期或没有期限的为空；分 1–7 天、8–30 天、30 天以上三段 | 分母: —
with
-- include: _event_order_flags.sql  （整改记录顺序存疑的标记：发布时按规则派生）
-- include: _supervision_open.sql  （在办问题与台账筛选，台账、计数两个查询共用）
ledger as (
    -- 先排序取前 $limit 条，再连接名称、描述与配合单位：几百万条在办问题时不必为每一条都连接
    select o.*
    from open_problems o
    order by days_overdue desc nulls last, o.deadline nulls last, o.found_at, o.problem_code
    limit $limit
),
coop as (
    select c.problem_code, string_agg(u.name, '、' order by u.sort_order, u.code) as coop_units
    from problem_coop_unit c
    join unit u on u.code = c.unit_code
    where c.problem_code in (select problem_code from ledger)
    group by c.problem_code
),
flags as (
    select problem_code, string_agg(reason, '；' order by flag_at, reason) as data_quality
    from event_order_flags
    where flag_at <= $as_of
    group by problem_code
)
select l.problem_code,
       l.found_at,
       l.category,
       l.severity,
       l.source,
       r.name as township,
       st.name as site,
       p.description,
       l.lead_unit_code,
       u.name as lead_unit,
       coalesce(c.coop_units, '') as coop_units,
       l.status,
       l.assigned_at,
       l.deadline,
       l.is_overdue,
       l.days_overdue,
       case
           when l.days_overdue is null then null
           when l.days_overdue <= 7 then '1–7天'
           when l.days_overdue <= 30 then '8–30天'
           else '30天以上'
       end as overdue_bucket,
       l.due_this_week,
       l.last_event_at,
       l.rejected_count,
       l.reopened_count,
       f.data_quality
from ledger l
join problem p on p.code = l.problem_code
join unit u on u.code = l.lead_unit_code
left join region r on r.code = l.township_code
left join site st on st.code = l.site_code
left join coop c on c.problem_code = l.problem_code
left join flags f on f.problem_code = l.problem_code
order by l.days_overdue desc nulls last, l.deadline nulls last, l.found_at, l.problem_code
