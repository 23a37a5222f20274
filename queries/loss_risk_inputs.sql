-- name: loss_risk_inputs
-- 用途: 丢分预警要用的输入齐不齐：统计时刻所用的测评体系版本，其中的实地考察测评标准（缺分值、缺点位类型的），抽样方案、扣分方式、类别对照各有几行，哪些点位类型缺抽样方案、抽查数多于库中点位；一行（库里没有测评体系时版本为空）
-- params: $as_of TIMESTAMP
with current_edition as (
    select edition, name as edition_name, effective_from
    from framework_edition
    where effective_from <= cast($as_of as date)
    order by effective_from desc, edition desc
    limit 1
),
field_standard as (
    select n.code, n.name, n.points, n.site_types
    from framework_node n
    join current_edition e on e.edition = n.edition
    where n.level = '测评标准' and n.method = '实地考察'
),
needed_types as (
    select distinct unnest(site_types) as site_type
    from field_standard
    where site_types is not null
),
plan as (
    select p.*
    from sampling_plan p
    join current_edition e on e.edition = p.edition
),
type_sites as (
    select site_type, count(*) as sites
    from site
    group by site_type
)
select e.edition,
       e.edition_name,
       e.effective_from,
       (select count(*) from framework_edition where effective_from > cast($as_of as date)) as later_editions,
       (select count(*) from field_standard) as field_standards,
       (select string_agg(code, '、' order by code) from field_standard where points <= 0) as without_points,
       (select string_agg(code, '、' order by code) from field_standard where len(coalesce(site_types, [])) = 0)
           as without_site_types,
       (select count(*) from plan) as plan_rows,
       (select string_agg(site_type, '、' order by site_type) from needed_types
         where site_type not in (select site_type from plan)) as types_without_plan,
       (select string_agg(p.site_type || '（抽查 ' || p.sample_size || ' 处，库中 ' || coalesce(ts.sites, 0) || ' 处）', '、'
                          order by p.site_type)
          from plan p left join type_sites ts on ts.site_type = p.site_type
         where p.scope = '全县' and p.sample_size > coalesce(ts.sites, 0)) as oversampled,
       (select count(*) from standard_scoring s join current_edition c on c.edition = s.edition) as scoring_rows,
       (select count(*) from standard_category s join current_edition c on c.edition = s.edition) as mapping_rows,
       (select string_agg(distinct edition, '、' order by edition) from sampling_plan) as editions_with_plan
from (select 1) dummy
left join current_edition e on true
