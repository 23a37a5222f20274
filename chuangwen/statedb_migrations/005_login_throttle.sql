-- 登录限速：按“登录名 + 来源地址”与“来源地址”分别计连续失败，失败越多要等得越久（不锁账号：
-- 外人不能用几次错口令把管理员关在门外）。key 形如 'acct:登录名|ip:地址' 或 'ip:地址'
create table login_throttle (
    key           text primary key,
    failures      integer not null,
    blocked_until text,                -- 到这一时刻（不含）之前不受理这个键的登录
    last_failure  text not null
);
