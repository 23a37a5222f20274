-- 007 丢分预警的三份输入（随测评体系版本保存，各有导入模板；规则见 queries/_loss_risk_failing.sql 与 chuangwen/loss_risk.py）
-- 1. 抽样方案 sampling_plan：一次测评每类点位抽查几处。抽样范围“全县”：从库中这类点位里抽 sample_size 处；
--    “每镇街”（主次干道这样的街面类型）：每个镇街有 per_township 条路段，每镇街抽 sample_size 条。
-- 2. 扣分方式 standard_scoring：按比例（默认，没有这一行时就按比例）、一处即扣完、每处扣分（per_site 分，扣完为止）。
-- 3. 问题类别 × 点位类型 → 测评标准 standard_category：台账里没有测评标准编号的问题（多数台账如此）按它落到标准上。
-- import_created 多认这三张表（回滚时按此删除）。

create table sampling_plan (
    edition      varchar not null references framework_edition (edition),
    site_type    varchar not null references site_type (name),
    scope        varchar not null default '全县' check (scope in ('全县', '每镇街')),
    sample_size  integer not null check (sample_size > 0),
    per_township integer check (per_township is null or per_township > 0),
    primary key (edition, site_type),
    check ((scope = '每镇街') = (per_township is not null)),
    check (per_township is null or sample_size <= per_township)
);

create table standard_scoring (
    edition       varchar not null,
    standard_code varchar not null,
    rule          varchar not null check (rule in ('按比例', '一处即扣完', '每处扣分')),
    per_site      double check (per_site is null or per_site > 0),
    primary key (edition, standard_code),
    foreign key (edition, standard_code) references framework_node (edition, code),
    check ((rule = '每处扣分') = (per_site is not null))
);

create table standard_category (
    edition       varchar not null,
    category      varchar not null references problem_category (name),
    site_type     varchar not null references site_type (name),
    standard_code varchar not null,
    primary key (edition, category, site_type),
    foreign key (edition, standard_code) references framework_node (edition, code)
);

create temp table _import_created as select * from import_created;
drop table import_created;
create table import_created (
    import_id  bigint not null,
    table_name varchar not null check (table_name in (
        'region', 'unit', 'problem_category', 'site', 'site_type',
        'round', 'score', 'score_part', 'deduction', 'framework_edition', 'framework_node',
        'sampling_plan', 'standard_scoring', 'standard_category')),
    key        varchar not null,
    primary key (import_id, table_name, key)
);
insert into import_created select * from _import_created;
drop table _import_created;
