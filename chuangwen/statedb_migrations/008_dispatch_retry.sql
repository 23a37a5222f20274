-- issue 33 续。生成失败的一期按退避重试：已试几次、下次什么时候重试（不再重试时为空）
alter table dispatch_run add column attempts integer not null default 1;
alter table dispatch_run add column next_try text;
-- 钉钉/浙政钉机器人的加签（密钥本身只在 <库文件名>.secrets.json 里；这里只记有没有）
alter table dispatch_channel add column signed integer not null default 0
