-- materialized: incremental
-- partition_by: day
-- source: stg_requests
select day, ts, hour, minute, vhost, method, status, status_class, bytes_sent, request_time_ms,
       md5(coalesce(endpoint, '')) as endpoint_key, endpoint,
       md5(concat_ws('|', coalesce(ip_class, ''), coalesce(geo_country, ''), coalesce(geo_region, ''), coalesce(geo_city, ''), coalesce(cast(geo_asn as varchar), ''))) as geo_key,
       md5(concat_ws('|', coalesce(ua_browser, ''), coalesce(ua_browser_version, ''), coalesce(ua_os, ''), coalesce(ua_device_type, ''), coalesce(bot_name, ''), coalesce(cast(is_bot as varchar), ''))) as user_agent_key,
       md5(coalesce(referrer_host, '')) as referrer_key,
       visitor_key, visitor_id, session_id, session_seq, is_page, is_bot, client_id, threat_score,
       source_stream, source_offset
from stg_requests
