-- materialized: incremental
-- partition_by: day
-- source: stg_requests
select day, path, count(*) as requests, count(distinct referrer_host) as referrers, count(*) filter (where is_bot) as bot_requests
from stg_requests where status = 404 group by day, path
