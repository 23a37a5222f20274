-- name: loss_risk_open
-- 用途: 丢分预警各查询共同的输入：截至统计时刻全县的每条在办问题落在哪一处、哪一条实地考察测评标准上（一条问题可落在几条标准上，每条一行，counted 为真），对不上任何标准的在办问题也各给一行（counted 为假、没有标准）。loss_risk_groups、loss_risk_items、loss_risk_coverage（-- reads: loss_risk_open）都从这张结果表汇总，一个统计时刻只算一次；不分查看范围（范围由读它的查询筛）
-- params: $as_of TIMESTAMP
-- 指标: 落在实地考察标准上 | 口径: 按丢分预警“哪一处不合格于哪条标准”的规则（点位或街面路段、自带标准编号或按类别 × 点位类型对照；同一问题同一标准只算一处） | 分母: 截至统计时刻的在办问题
with
-- include: _loss_risk_failing.sql  （哪一处因在办问题不合格于哪条标准）
counted as (
    select distinct problem_code from failing
)
select f.*, true as counted
from failing f
union all by name
select o.*, false as counted
from open_problem o
where o.problem_code not in (select problem_code from counted)
order by problem_code, standard_code nulls last, item_key nulls last
