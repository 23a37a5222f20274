-- name: hotspot_ranking
-- 用途: 热点表：点位与镇街分别按问题数、区间内发现且逾期数、反弹数排名（各取前 $top 名，并列一起列出），带上期对比
-- params: $as_of TIMESTAMP, $period_start TIMESTAMP, $township VARCHAR, $unit VARCHAR, $round VARCHAR, $scope_unit VARCHAR, $site VARCHAR, $sources VARCHAR[], $categories VARCHAR[], $severities VARCHAR[], $site_types VARCHAR[], $statuses VARCHAR[], $rebound_days INTEGER, $county_ring VARCHAR, $top INTEGER
-- 指标: 热点问题数 | 口径: 统计区间内该点位（或所属镇街）符合条件的问题数 | 分母: —
-- 指标: 区间内发现且逾期 | 口径: 其中截至统计时刻未销号且已过整改期限的问题数 | 分母: —
-- 指标: 反弹数 | 口径: 其中记为反弹的问题数（同一点位、同一类别的问题在上一次“已销号”后 N 天内（不含销号时刻）再次发现，或本条销号后 N 天内被“反弹重开”；N 为设置的“反弹认定天数”（默认 30）；没有点位的问题不会是反弹） | 分母: —
-- 指标: 较上期 | 口径: 本期问题数 − 上一等长区间（紧接统计区间之前）符合同样筛选的问题数 | 分母: —
-- 指标: 热点名次 | 口径: 同一分组（点位或镇街）内按该项从多到少的竞争排名，并列同名次；该项为 0 的不排 | 分母: —
-- reads: hotspot_problems  （筛选与反弹的结果表，见 hotspot_problems.sql；一次页面运行里只算一次）
with grouped as (
    select '点位' as grouping_kind, site_code as code,
           count(*) filter (where in_period) as problems,
           count(*) filter (where in_period and is_overdue) as overdue_now,
           count(*) filter (where in_period and is_rebound) as rebounds,
           count(*) filter (where not in_period) as problems_prev
    from hotspot_problems
    where site_code is not null
    group by site_code
    union all
    select '镇街', township_code,
           count(*) filter (where in_period),
           count(*) filter (where in_period and is_overdue),
           count(*) filter (where in_period and is_rebound),
           count(*) filter (where not in_period)
    from hotspot_problems
    where township_code is not null
    group by township_code
),
ranked as (
    select g.*,
           g.problems - g.problems_prev as change,
           case when g.problems > 0 then rank() over (partition by g.grouping_kind order by g.problems desc) end as rank_problems,
           case when g.overdue_now > 0 then rank() over (partition by g.grouping_kind order by g.overdue_now desc) end as rank_overdue,
           case when g.rebounds > 0 then rank() over (partition by g.grouping_kind order by g.rebounds desc) end as rank_rebounds
    from grouped g
)
select r.grouping_kind,
       r.code,
       coalesce(st.name, tw.name) as name,
       st.site_type,
       coalesce(stw.name, case when r.grouping_kind = '镇街' then tw.name end) as township_name,
       r.problems,
       r.overdue_now,
       r.rebounds,
       r.problems_prev,
       r.change,
       r.rank_problems,
       r.rank_overdue,
       r.rank_rebounds
from ranked r
left join site st on r.grouping_kind = '点位' and st.code = r.code
left join region stw on stw.code = st.township_code
left join region tw on r.grouping_kind = '镇街' and tw.code = r.code
where r.rank_problems <= $top or r.rank_overdue <= $top or r.rank_rebounds <= $top
order by r.grouping_kind = '镇街', r.rank_problems nulls last, r.code
