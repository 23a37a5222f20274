-- name: overview_weekly_flow
-- 用途: 总览页近 12 周问题流量：每周新增与每周销号（周以数据截至时刻为终点，向前每 7 天一段）
-- params: $as_of TIMESTAMP, $township VARCHAR, $unit VARCHAR, $round VARCHAR, $scope_unit VARCHAR
-- 指标: 每周新增 | 口径: 发现时间落在该周（不含起点、含终点）的问题数 | 分母: —
-- 指标: 每周销号 | 口径: 该周内发生的“已销号”事件数（同一问题反弹后再次销号计两次） | 分母: —
with weeks as (
    select w as weeks_back,
           $as_of - to_days(7 * (w + 1)) as week_start,
           $as_of - to_days(7 * w) as week_end
    from range(0, 12) t(w)
),
scoped as (
    select p.code, p.found_at
    from problem p
    where involves_unit($scope_unit, p.lead_unit_code, p.code)
      and ($township is null or p.township_code = $township)
      and ($unit is null or p.lead_unit_code = $unit)
      and ($round is null or p.round_code = $round)
),
found as (
    select w.weeks_back, count(s.code) as new_problems
    from weeks w
    left join scoped s on s.found_at > w.week_start and s.found_at <= w.week_end
    group by w.weeks_back
),
closed as (
    -- 按时间排序的事件副本（带问题的镇街、牵头单位、轮次）：只读这 12 周的行组，不必再与问题表核对筛选
    select w.weeks_back, count(e.id) as closures
    from weeks w
    left join rectify_event_by_time e
        on e.action = '已销号' and e.event_at > w.week_start and e.event_at <= w.week_end
        and involves_unit($scope_unit, e.lead_unit_code, e.problem_code)
        and ($township is null or e.township_code = $township)
        and ($unit is null or e.lead_unit_code = $unit)
        and ($round is null or e.round_code = $round)
    group by w.weeks_back
)
select w.weeks_back, w.week_start, w.week_end, f.new_problems, c.closures
from weeks w
join found f using (weeks_back)
join closed c using (weeks_back)
order by w.weeks_back desc
