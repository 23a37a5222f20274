-- name: loss_risk_coverage
-- 用途: 丢分预警：截至统计时刻查看范围内的在办问题有多少落在了实地考察测评标准上（计入预计丢分），多少对不上（没有点位类型与类别的对照、没有点位也没有镇街，或标准不考察这类点位）
-- params: $as_of TIMESTAMP, $scope_unit VARCHAR
-- 指标: 计入预计丢分的在办问题 | 口径: 截至统计时刻未销号、能落到本版实地考察测评标准上的问题（规则见本页说明），按查看范围 | 分母: 截至统计时刻的在办问题
with
-- include: _loss_risk_failing.sql  （哪一处因在办问题不合格于哪条标准）
counted as (
    select distinct problem_code from failing
)
select count(*) as open_problems,
       count(*) filter (where c.problem_code is not null) as counted,
       count(*) filter (where c.problem_code is null and o.site_code is not null) as uncounted_at_sites,
       count(*) filter (where c.problem_code is null and o.site_code is null) as uncounted_on_streets
from open_problem o
left join counted c on c.problem_code = o.problem_code
where involves_unit($scope_unit, o.lead_unit_code, o.problem_code)
