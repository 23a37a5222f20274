-- name: hotspot_townships
-- 用途: 镇街分级设色：本县每个镇街的问题数、每千人、每点位（按问题登记的所属镇街，不看坐标）；不属于本县镇街的问题另列一行
-- params: $as_of TIMESTAMP, $period_start TIMESTAMP, $township VARCHAR, $unit VARCHAR, $round VARCHAR, $scope_unit VARCHAR, $site VARCHAR, $sources VARCHAR[], $categories VARCHAR[], $severities VARCHAR[], $site_types VARCHAR[], $statuses VARCHAR[], $rebound_days INTEGER, $county_ring VARCHAR, $county VARCHAR
-- 指标: 镇街问题数 | 口径: 符合条件、所属镇街为该镇街的问题（含坐标缺失/越界的问题；镇街按台账登记） | 分母: —
-- 指标: 每千人问题数 | 口径: 镇街问题数 ÷ 常住人口 × 1000，保留两位小数；人口未填或为 0 时为空 | 分母: 镇街常住人口（地区表里登记的）
-- 指标: 每点位问题数 | 口径: 镇街问题数 ÷ 该镇街登记的点位数，保留两位小数；没有点位时为空 | 分母: 该镇街登记的点位数
-- reads: hotspot_problems  （筛选与反弹的结果表，见 hotspot_problems.sql；一次页面运行里只算一次）
with towns as (
    select code, name, population, sort_order
    from region
    where level = '镇街' and parent_code = $county
),
site_counts as (
    select township_code, count(*) as sites
    from site
    group by township_code
),
counted as (
    select township_code,
           count(*) as problems,
           count(*) filter (where not is_closed) as open_now,
           count(*) filter (where is_overdue) as overdue_now,
           count(*) filter (where is_rebound) as rebounds
    from hotspot_problems
    where in_period
    group by township_code
)
select t.code,
       t.name,
       t.population,
       coalesce(sc.sites, 0) as sites,
       coalesce(c.problems, 0) as problems,
       coalesce(c.open_now, 0) as open_now,
       coalesce(c.overdue_now, 0) as overdue_now,
       coalesce(c.rebounds, 0) as rebounds,
       case when t.population > 0 then round(1000.0 * coalesce(c.problems, 0) / t.population, 2) end as per_1000,
       case when sc.sites > 0 then round(coalesce(c.problems, 0) / sc.sites, 2) end as per_site,
       coalesce(t.sort_order, 0) as sort_key
from towns t
left join counted c on c.township_code = t.code
left join site_counts sc on sc.township_code = t.code
union all
select null, '（所属镇街不在本县或未填）', null, null,
       sum(problems)::bigint, sum(open_now)::bigint, sum(overdue_now)::bigint, sum(rebounds)::bigint, null, null, 1000000
from counted
where township_code is null or township_code not in (select code from towns)
having count(*) > 0
order by sort_key, code
