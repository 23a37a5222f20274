-- name: loss_risk_groups
-- 用途: 丢分预警：统计时刻所用测评体系的每条实地考察测评标准、每类点位一组（抽样范围“每镇街”的街面类型再按镇街分组）：点位数 n、抽查数 m、截至统计时刻不合格的处数 k，以及分值与扣分方式；缺抽样方案、没有点位类型的也各列一行（页面写明缺什么）。全县的计数，不含问题行
-- params: $as_of TIMESTAMP
-- reads: loss_risk_open  （哪一处因在办问题不合格于哪条标准，见 loss_risk_open.sql；一个统计时刻只算一次）
-- 指标: 预计丢分 | 口径: 假设统计时刻的次日测评、实地考察：每条测评标准在它考察的每类点位（街面类型按镇街）里从 n 处不放回地抽查 m 处，k 处有在办问题落在这条标准上即不合格（超几何分布，各组独立抽样）。按比例：分值 × Σ(m × k ÷ n) ÷ Σm；一处即扣完：分值 × (1 − Π C(n−k, m) ÷ C(n, m))；每处扣 x 分、扣完为止：“x × 抽中的不合格处数”与分值两者取小的期望。各标准相加即全县预计丢分；只估实地考察部分，网上申报、问卷调查不在内 | 分母: 各组点位数 n 与抽查数 m
-- 指标: 不合格点位 | 口径: 截至统计时刻有在办问题落在该测评标准上的点位数 k：同一点位同一标准几条问题只算一处；没有点位的街面问题每条算该镇街的一条路段，至多该镇街的路段数 | 分母: 该类点位总数 n（街面类型为每镇街路段数）
-- 指标: 抽查数 | 口径: 抽样方案规定一次测评抽查的处数 m（多于点位数时按点位数） | 分母: —
with
-- include: _loss_risk_framework.sql  （测评体系、实地考察标准与扣分方式、抽样方案）
failing as (
    select * from loss_risk_open where counted
),
standard_type as (
    select f.*,
           unnest(case when len(coalesce(f.site_types, [])) > 0 then f.site_types else [null::varchar] end) as site_type
    from field_standard f
),
townships as (
    select code, name, coalesce(sort_order, 0) as sort_key
    from region
    where level = '镇街'
),
type_sites as (
    select site_type, count(*) as sites
    from site
    group by site_type
),
groups as (
    select st.standard_code, st.site_type, pl.scope, pl.sample_size, pl.type_order,
           null::varchar as township_code, null::varchar as township_name, 0 as township_order,
           coalesce(ts.sites, 0) as sites
    from standard_type st
    left join plan pl on pl.site_type = st.site_type
    left join type_sites ts on ts.site_type = st.site_type
    where pl.scope is null or pl.scope = '全县'
    union all
    select st.standard_code, st.site_type, pl.scope, pl.sample_size, pl.type_order,
           t.code, t.name, t.sort_key, pl.per_township
    from standard_type st
    join plan pl on pl.site_type = st.site_type and pl.scope = '每镇街'
    cross join townships t
),
county_failing as (
    select standard_code, site_type, count(distinct item_key) as failing
    from failing
    group by standard_code, site_type
),
township_failing as (
    select standard_code, site_type, item_township, count(distinct item_key) as failing
    from failing
    group by standard_code, site_type, item_township
)
select e.edition,
       e.edition_name,
       f.standard_code,
       f.standard_name,
       f.points,
       f.rule,
       f.per_site,
       f.standard_order,
       g.site_type,
       g.scope,
       g.township_code,
       g.township_name,
       g.sites,
       g.sample_size,
       least(g.sample_size, g.sites) as sampled,
       coalesce(tf.failing, cf.failing, 0) as failing_raw,
       least(coalesce(tf.failing, cf.failing, 0), g.sites) as failing
from groups g
join field_standard f on f.standard_code = g.standard_code
cross join current_edition e
left join county_failing cf
       on g.township_code is null and cf.standard_code = g.standard_code and cf.site_type = g.site_type
left join township_failing tf
       on g.township_code is not null and tf.standard_code = g.standard_code and tf.site_type = g.site_type
      and tf.item_township = g.township_code
order by f.standard_order, f.standard_code, g.type_order, g.site_type nulls first, g.township_order, g.township_code
