-- 001 初始结构：地区、责任单位、测评体系、点位、测评轮次、成绩、扣分、问题、整改事件、导入日志
-- 约定：坐标一律存 WGS-84（lon/lat），原始坐标与坐标系另存；整改状态只由事件日志推导，事件只追加不改写。

-- 库级元数据：是否示例数据、数据截至时间、本县代码、目标名次等
create table meta (
    key   varchar primary key,
    value varchar
);

-- 地区层级：省 → 县级单位（排名组） → 镇街 → 社区/村
create table region (
    code        varchar primary key,
    name        varchar not null,
    level       varchar not null check (level in ('省', '县级', '镇街', '社区村')),
    kind        varchar,                         -- 县/县级市/区；镇/街道/开发区；社区/村
    parent_code varchar references region (code),
    population  integer check (population is null or population >= 0),
    lon         double check (lon is null or lon between -180 and 180),   -- 中心点（WGS-84）
    lat         double check (lat is null or lat between -90 and 90),
    sort_order  integer,
    check ((level = '省') = (parent_code is null))
);

-- 边界：县和镇街的多边形（WKB，WGS-84），按版本保存，边界调整不覆盖旧版本
create table boundary (
    region_code varchar not null references region (code),
    version     integer not null check (version >= 1),
    valid_from  date not null,
    geom_wkb    blob not null,
    area_km2    double check (area_km2 > 0),
    source      varchar,
    primary key (region_code, version)
);

-- 责任单位：条（职能部门）与块（属地镇街/开发区）
create table unit (
    code        varchar primary key,
    name        varchar not null unique,
    kind        varchar not null check (kind in ('条', '块')),
    unit_type   varchar not null,                -- 党委部门/政府部门/群团组织/垂管单位/镇/街道/开发区
    region_code varchar references region (code),
    sort_order  integer,
    check ((kind = '块') = (region_code is not null))
);

-- 点位类型与问题类别（参考表，导入时校验用）
create table site_type (
    name       varchar primary key,
    sort_order integer
);

create table problem_category (
    name       varchar primary key,
    parent     varchar,                          -- 大类，如 市容秩序；大类自身 parent 为空
    sort_order integer
);

-- 测评体系：版本 + 树（板块 → 测评项目 → 测评内容 → 测评标准）
create table framework_edition (
    edition        varchar primary key,
    name           varchar not null,
    scope          varchar not null check (scope in ('全国', '县级')),
    effective_from date not null,
    total_points   double not null check (total_points > 0)
);

create table framework_node (
    edition        varchar not null references framework_edition (edition),
    code           varchar not null,             -- 1 / 1.2 / 1.2.3 / 1.2.3.4
    parent_code    varchar,
    level          varchar not null check (level in ('板块', '测评项目', '测评内容', '测评标准')),
    name           varchar not null,
    points         double not null check (points >= 0),
    method         varchar check (method in ('实地考察', '网上申报', '问卷调查')),
    site_types     varchar[],                    -- 实地考察的点位类型
    category       varchar references problem_category (name),
    lead_unit_code varchar references unit (code),
    sort_order     integer,
    primary key (edition, code),
    check ((level = '板块') = (parent_code is null)),
    check ((level = '测评标准') = (method is not null))
);

-- 负面清单（一票否决项单独标记）
create table negative_item (
    edition     varchar not null references framework_edition (edition),
    code        varchar not null,
    name        varchar not null,
    is_veto     boolean not null,
    description varchar,
    primary key (edition, code)
);

-- 点位
create table site (
    code           varchar primary key,
    name           varchar not null,
    site_type      varchar not null references site_type (name),
    township_code  varchar not null references region (code),
    community_code varchar references region (code),
    address        varchar,
    lon            double check (lon is null or lon between -180 and 180),
    lat            double check (lat is null or lat between -90 and 90),
    crs_source     varchar not null default 'WGS84' check (crs_source in ('WGS84', 'CGCS2000', 'GCJ02', 'BD09')),
    lon_source     double,
    lat_source     double
);

-- 测评轮次
create table round (
    code       varchar primary key,
    name       varchar not null,
    round_type varchar not null check (round_type in ('年度测评', '年中暗访', '模拟测评', '自查', '督查')),
    level      varchar not null check (level in ('中央', '省', '市', '县')),
    start_date date not null,
    end_date   date not null,
    cycle      varchar not null,                 -- 创建周期，如 2024-2026
    year       integer not null,
    edition    varchar references framework_edition (edition),
    is_ranked  boolean not null default false,   -- 是否在排名组内公布成绩
    check (end_date >= start_date)
);

-- 成绩：排名组每个单位每轮的总分；缺测时 total 为空。名次由视图推导，不录入
create table score (
    round_code  varchar not null references round (code),
    region_code varchar not null references region (code),
    total       double check (total is null or total >= 0),
    note        varchar,
    primary key (round_code, region_code)
);

create table score_part (
    round_code  varchar not null references round (code),
    region_code varchar not null references region (code),
    edition     varchar not null,
    node_code   varchar not null,
    score       double not null check (score >= 0),
    primary key (round_code, region_code, edition, node_code),
    foreign key (edition, node_code) references framework_node (edition, code)
);

-- 本县扣分明细：每轮、每条测评标准
create sequence deduction_id_seq start 1;
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

-- 导入日志（谁、何时、哪个文件、哈希、行数）
create sequence import_id_seq start 1;
create table import_log (
    id            bigint primary key default nextval('import_id_seq'),
    kind          varchar not null,
    file_name     varchar not null,
    file_sha256   varchar not null,
    rows_total    integer not null check (rows_total >= 0),
    rows_imported integer not null check (rows_imported >= 0),
    imported_by   varchar not null,
    imported_at   timestamp not null,
    status        varchar not null check (status in ('成功', '部分导入', '失败', '已回滚')),
    archive_path  varchar,
    note          varchar
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
    township_code      varchar references region (code),
    community_code     varchar references region (code),
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
create sequence rectify_event_id_seq start 1;
create table rectify_event (
    id           bigint primary key default nextval('rectify_event_id_seq'),
    problem_code varchar not null references problem (code),
    event_at     timestamp not null,
    action       varchar not null check (action in ('交办', '整改中', '申请销号', '已销号', '退回', '反弹重开')),
    unit_code    varchar references unit (code),
    note         varchar,
    import_id    bigint references import_log (id)
);

-- 名次（唯一口径）：同一轮内按总分（保留两位小数）降序的竞争排名，并列同名次（1,2,2,4）；
-- 缺测（总分为空）的单位不参与排名，名次为空，组内单位数不计入。
create view score_ranked as
with scored as (
    select round_code, region_code, round(total, 2) as total
    from score
    where total is not null
)
select s.round_code,
       s.region_code,
       s.total,
       rank() over (partition by s.round_code order by s.total desc) as rank,
       count(*) over (partition by s.round_code) as group_size,
       '正常' as score_status
from scored s
union all
select round_code, region_code, null, null, null, '缺测'
from score
where total is null;

-- 问题在某一时刻的整改状态（唯一口径）：只看 event_at <= as_of 的事件，最后一个事件（event_at、id 排序）决定状态。
-- 逾期 = 截至该时刻未销号且整改期限早于该时刻；逾期销号 = 已销号且销号时间晚于整改期限；无期限的问题永不逾期。
create macro problem_state_as_of(as_of) as table
with ev as (
    select problem_code,
           arg_max(action, (event_at, id)) as last_action,
           arg_max(event_at, (event_at, id)) as last_event_at,
           max(event_at) filter (where action = '已销号') as last_closed_at,
           min(event_at) filter (where action = '交办') as assigned_at,
           count(*) filter (where action = '退回') as rejected_count,
           count(*) filter (where action = '反弹重开') as reopened_count
    from rectify_event
    where event_at <= as_of
    group by problem_code
)
select p.code as problem_code,
       p.found_at,
       p.deadline,
       p.township_code,
       p.lead_unit_code,
       p.site_code,
       p.category,
       p.source,
       p.round_code,
       p.severity,
       ev.assigned_at,
       ev.last_event_at,
       case coalesce(ev.last_action, '')
           when '' then '待交办'
           when '交办' then '已交办'
           when '整改中' then '整改中'
           when '申请销号' then '申请销号'
           when '已销号' then '已销号'
           when '退回' then '退回整改'
           when '反弹重开' then '反弹重开'
       end as status,
       coalesce(ev.last_action = '已销号', false) as is_closed,
       case when ev.last_action = '已销号' then ev.last_closed_at end as closed_at,
       coalesce(ev.last_action, '') <> '已销号' and p.deadline is not null and p.deadline < as_of as is_overdue,
       coalesce(ev.last_action = '已销号', false) and p.deadline is not null and ev.last_closed_at > p.deadline as closed_late,
       coalesce(ev.rejected_count, 0) as rejected_count,
       coalesce(ev.reopened_count, 0) as reopened_count
from problem p
left join ev on ev.problem_code = p.code
where p.found_at <= as_of;
