-- One batch (one raw object Firehose delivered), by source and type: how many events took effect, how many were
-- duplicates or dropped, and when the accepted ones happened. Parameters: the object's hour partition
-- (yyyy/MM/dd/HH) and its s3:// path.
SELECT
    source,
    coalesce(type, '') AS type,
    count_if(status = 'accepted') AS accepted,
    count_if(status = 'duplicate') AS duplicates,
    count_if(status = 'dropped') AS dropped,
    min(occurred_at) FILTER (WHERE status = 'accepted') AS first_occurred_at,
    max(occurred_at) FILTER (WHERE status = 'accepted') AS last_occurred_at
FROM events
WHERE dt = ? AND "$path" = ?
GROUP BY source, coalesce(type, '')
ORDER BY source, type
