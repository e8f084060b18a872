-- materialized: incremental
-- partition_by: day
-- source: stg_requests
select day, coalesce(is_bot, false) as is_bot, bot_name, count(*) as requests, count(distinct visitor_key) as visitors
from stg_requests group by day, coalesce(is_bot, false), bot_name
