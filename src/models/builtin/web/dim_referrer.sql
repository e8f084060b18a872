-- materialized: table
select md5(coalesce(referrer_host, '')) as referrer_key, referrer_host, count(*) as requests, min(day) as first_seen, max(day) as last_seen
from stg_requests group by referrer_host
