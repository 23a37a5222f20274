-- 片段（不是独立查询）：丢分预警里“截至统计时刻，哪一处（点位或街面路段）因为在办问题不合格于哪一条测评标准”。
-- [丢分预警·开始] 唯一定义，loss_risk_groups（各组计数）、loss_risk_items（各处明细）、loss_risk_coverage（对上没有）经 `-- include:` 引入。
-- 结果是 CTE：current_edition（统计时刻所用的测评体系）、field_standard（其中实地考察的测评标准与扣分方式）、
-- plan（抽样方案）、open_problem（在办问题）、failing（一条在办问题落在哪一处、哪一条标准上）。
--
-- 规则：
-- - 测评体系：生效日期不晚于统计日的最新版本（没有抽样方案时页面说缺什么，不换用别的版本）。
-- - 一处：有点位的问题就是它的点位（类型取点位类型）；没有点位的问题（街面问题）在它的镇街里算一条路段，
--   落在抽样方案中“每镇街”抽查的街面类型（如主次干道）上。
-- - 测评标准：问题自带本版测评标准编号、且该标准考察这类点位时用它；否则按“问题类别 × 点位类型 → 测评标准”对照
--   （先对小类，没有再对大类）。对不上的问题不计入（页面写明条数）。
-- - 一条街面问题对同一条标准只算一处：落在几类街面类型上时取点位类型排序在前的一类。
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
open_problem as (
    select s.problem_code, s.site_code, s.township_code, s.category, s.lead_unit_code, s.deadline, s.is_overdue,
           s.lon, s.lat, pr.edition as problem_edition, pr.standard_code as problem_standard, pr.description
    from problem_state_open($as_of) s
    join problem pr on pr.code = s.problem_code
    where not s.is_closed  -- problem_state_open 本就只给在办的；写明它，参照路径（全部问题）也一样
),
placed as (
    select o.*, si.site_type, si.township_code as item_township, 'S:' || si.code as item_key,
           si.name as item_name, si.lon as item_lon, si.lat as item_lat,
           coalesce(t.sort_order, 0) as type_order
    from open_problem o
    join site si on si.code = o.site_code
    left join site_type t on t.name = si.site_type
    union all
    select o.*, pl.site_type, o.township_code, 'P:' || o.problem_code, o.description, o.lon, o.lat, pl.type_order
    from open_problem o
    join plan pl on pl.scope = '每镇街'
    where o.site_code is null and o.township_code is not null
),
matched as (
    select pl.*,
           coalesce(own.standard_code, leaf.standard_code, parent.standard_code) as standard_code
    from placed pl
    left join field_standard own
           on own.edition = pl.problem_edition and own.standard_code = pl.problem_standard
          and list_contains(own.site_types, pl.site_type)
    left join current_edition e on true
    left join standard_category leaf
           on leaf.edition = e.edition and leaf.category = pl.category and leaf.site_type = pl.site_type
    left join problem_category pc on pc.name = pl.category
    left join standard_category parent
           on parent.edition = e.edition and parent.category = pc.parent and parent.site_type = pl.site_type
),
failing as (
    select m.*
    from matched m
    join field_standard f on f.standard_code = m.standard_code and list_contains(f.site_types, m.site_type)
    qualify row_number() over (partition by m.problem_code, m.standard_code order by m.type_order, m.site_type) = 1
),
-- [丢分预警·结束]
