-- materialized: incremental
-- partition_by: day
-- source: stg_requests
select day, day as period, vhost, geo_country, geo_city, status_class, endpoint,
       count(*) as requests, count(*) filter (where status >= 500) as errors, count(*) filter (where status between 400 and 499) as client_errors,
       coalesce(sum(bytes_sent), 0) as bytes, count(*) filter (where is_bot) as bot_requests
from stg_requests group by day, vhost, geo_country, geo_city, status_class, endpoint
