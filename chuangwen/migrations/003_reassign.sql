-- 003 边界调整后的重新归属与更多导入种类
-- 1. 问题与点位的镇街、社区可以按新边界重新归属。DuckDB 更新带索引的列时按“删 + 插”执行，
--    而问题、点位的行被整改事件、扣分等外键引用，删不掉；外键列自带索引，所以这两列不能带外键。
--    这里重建 site、problem 及引用它们的表，去掉 township_code / community_code 上的外键（其余约束不变）；
--    这两列的取值由导入校验对照 region 表，数据质量查询再核对一遍。
-- 2. 每次重新归属记入 region_reassignment（原镇街、原社区），回滚那次边界导入时按此恢复。
-- 3. import_created 记下导入写入的成绩、扣分、测评体系与轮次，回滚时按此删除。

create temp table _site as select * from site;
create temp table _problem as select * from problem;
create temp table _problem_coop_unit as select * from problem_coop_unit;
create temp table _rectify_event as select * from rectify_event;
create temp table _deduction as select * from deduction;
create temp table _deduction_unit as select * from deduction_unit;

drop table deduction_unit;
drop table deduction;
drop table rectify_event;
drop table problem_coop_unit;
drop table problem;
drop table site;

-- 点位
create table site (
    code           varchar primary key,
    name           varchar not null,
    site_type      varchar not null references site_type (name),
    township_code  varchar not null,             -- 镇街（region.code，导入时校验；可按边界重新归属）
    community_code varchar,                      -- 社区/村（region.code）
    address        varchar,
    lon            double check (lon is null or lon between -180 and 180),
    lat            double check (lat is null or lat between -90 and 90),
    crs_source     varchar not null default 'WGS84' check (crs_source in ('WGS84', 'CGCS2000', 'GCJ02', 'BD09')),
    lon_source     double,
    lat_source     double
);

-- 本县扣分明细：每轮、每条测评标准
create table deduction (
    id            bigint primary key default nextval('deduction_id_seq'),
    round_code    varchar not null references round (code),
    edition       varchar not null,
    standard_code varchar not null,
    points        double not null check (points > 0),
    reason        varchar not null,
    site_code     varchar references site (code),
    foreign key (edition, standard_code) references framework_node (edition, code)
);

create table deduction_unit (
    deduction_id bigint not null references deduction (id),
    unit_code    varchar not null references unit (code),
    share        double not null check (share > 0 and share <= 1),
    primary key (deduction_id, unit_code)
);

-- 问题
create table problem (
    code               varchar primary key,
    found_at           timestamp not null,
    source             varchar not null check (source in ('省暗访', '市督查', '县自查', '模拟测评', '12345热线', '媒体曝光')),
    round_code         varchar references round (code),
    edition            varchar,
    standard_code      varchar,
    category           varchar not null references problem_category (name),
    site_code          varchar references site (code),
    township_code      varchar,                  -- 镇街（region.code，导入时校验；可按边界重新归属）
    community_code     varchar,                  -- 社区/村（region.code）
    lon                double check (lon is null or lon between -180 and 180),
    lat                double check (lat is null or lat between -90 and 90),
    crs_source         varchar check (crs_source in ('WGS84', 'CGCS2000', 'GCJ02', 'BD09')),
    lon_source         double,
    lat_source         double,
    description        varchar not null,
    severity           varchar not null check (severity in ('一般', '较重', '严重')),
    negative_item_code varchar,                  -- 触及负面清单时填写
    lead_unit_code     varchar not null references unit (code),
    deadline           timestamp,
    import_id          bigint references import_log (id),
    check (deadline is null or deadline >= found_at),
    foreign key (edition, standard_code) references framework_node (edition, code)
);

create table problem_coop_unit (
    problem_code varchar not null references problem (code),
    unit_code    varchar not null references unit (code),
    primary key (problem_code, unit_code)
);

-- 整改事件日志：只追加。当前状态 = 截至某时刻最后一个事件（按 event_at、id 排序）
create table rectify_event (
    id           bigint primary key default nextval('rectify_event_id_seq'),
    problem_code varchar not null references problem (code),
    event_at     timestamp not null,
    action       varchar not null check (action in ('交办', '整改中', '申请销号', '已销号', '退回', '反弹重开')),
    unit_code    varchar references unit (code),
    note         varchar,
    import_id    bigint references import_log (id)
);

insert into site select * from _site;
insert into problem select * from _problem;
insert into problem_coop_unit select * from _problem_coop_unit;
insert into rectify_event select * from _rectify_event;
insert into deduction select * from _deduction;
insert into deduction_unit select * from _deduction_unit;
drop table _site;
drop table _problem;
drop table _problem_coop_unit;
drop table _rectify_event;
drop table _deduction;
drop table _deduction_unit;

-- 按新边界重新归属的记录：哪次边界导入、哪条问题/哪个点位、原来与现在的镇街和社区
create table region_reassignment (
    import_id          bigint not null references import_log (id),
    entity             varchar not null check (entity in ('problem', 'site')),
    entity_code        varchar not null,
    old_township_code  varchar,
    old_community_code varchar,
    new_township_code  varchar
    -- 不设主键：每次导入每条记录最多写一行；主键索引会让回滚时删除大量行的提交慢几十倍（100 万行约 52 s）
);

-- 导入写入/新增的行（回滚时按此删除）；复合主键写成以 | 连接的文本
create temp table _import_created as select * from import_created;
drop table import_created;
create table import_created (
    import_id  bigint not null,
    table_name varchar not null check (table_name in (
        'region', 'unit', 'problem_category', 'site', 'site_type',
        'round', 'score', 'score_part', 'deduction', 'framework_edition', 'framework_node')),
    key        varchar not null,
    primary key (import_id, table_name, key)
);
insert into import_created select * from _import_created;
drop table _import_created;
