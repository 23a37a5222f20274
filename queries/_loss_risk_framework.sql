-- 片段（不是独立查询）：丢分预警在统计时刻所用的测评体系、其中实地考察的测评标准与扣分方式、抽样方案。
-- 结果是 CTE：current_edition（统计时刻所用的测评体系）、field_standard（其中实地考察的测评标准与扣分方式）、plan（抽样方案）。
-- 测评体系：生效日期不晚于统计日的最新版本（没有抽样方案时页面说缺什么，不换用别的版本）。
-- 由 _loss_risk_failing.sql 与读 loss_risk_open 的查询（loss_risk_groups）引入。
current_edition as (
    select edition, name as edition_name
    from framework_edition
    where effective_from <= cast($as_of as date)
    order by effective_from desc, edition desc
    limit 1
),
field_standard as (
    select n.edition, n.code as standard_code, n.name as standard_name, n.points, n.site_types,
           coalesce(n.sort_order, 0) as standard_order,
           coalesce(sc.rule, '按比例') as rule, sc.per_site
    from framework_node n
    join current_edition e on e.edition = n.edition
    left join standard_scoring sc on sc.edition = n.edition and sc.standard_code = n.code
    where n.level = '测评标准' and n.method = '实地考察'
),
plan as (
    select p.site_type, p.scope, p.sample_size, p.per_township, coalesce(t.sort_order, 0) as type_order
    from sampling_plan p
    join current_edition e on e.edition = p.edition
    left join site_type t on t.name = p.site_type
),
