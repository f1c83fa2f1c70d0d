/**
 * Migration 5 of the PostgreSQL backend: the send path (postgres-enqueue.ts) as one server-side
 * function, so a send is one statement — one round trip and, outside a multi-recipient send, its
 * own transaction — instead of BEGIN, three queries and COMMIT. The relay's time on PostgreSQL
 * went mostly to sending statements (bench/relay-cluster.bench.ts, docs/deployment.md).
 *
 * The checks are those of sqlite-enqueue.ts, in the same order: the recipient's account, the
 * device list, registration ids, duplicates, each sender's share of a device's queue and its
 * reserve, then the organisation's queue quotas. The recipient's device rows are locked first
 * (FOR UPDATE, in device_pk order), so concurrent sends to one account run one after another;
 * every later statement of a VOLATILE plpgsql function takes a new snapshot, so it sees what an
 * earlier sender committed while this one waited for the locks.
 */
export const postgresEnqueueFunction = `
CREATE OR REPLACE FUNCTION pmsg_enqueue(
  p_recipient TEXT, p_sender_org TEXT, p_sender_device_pk INTEGER, p_sender_account TEXT,
  p_sender_device_id INTEGER, p_client_message_id TEXT, p_client_ts BIGINT, p_now BIGINT,
  p_device_ids INTEGER[], p_registration_ids INTEGER[], p_types INTEGER[], p_contents BYTEA[],
  p_max_per_device BIGINT, p_max_per_sender BIGINT, p_reserve BIGINT,
  p_channel TEXT, p_node TEXT
) RETURNS JSONB LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  v_org TEXT;
  v_status TEXT;
  dev RECORD;
  by_pks INTEGER[] := '{}';
  by_ids INTEGER[] := '{}';
  by_regs INTEGER[] := '{}';
  missing INTEGER[];
  extra INTEGER[];
  stale INTEGER[] := '{}';
  dups INTEGER[] := '{}';
  full_ids INTEGER[] := '{}';
  fresh_pks INTEGER[] := '{}';
  fresh_ids INTEGER[] := '{}';
  fresh_types INTEGER[] := '{}';
  fresh_contents BYTEA[] := '{}';
  i INTEGER;
  idx INTEGER;
  pk INTEGER;
  n_own BIGINT;
  n_total BIGINT;
  q_envelopes BIGINT;
  q_bytes BIGINT;
  used_n BIGINT;
  used_bytes BIGINT;
  has_quota BOOLEAN;
BEGIN
  SELECT org, status INTO v_org, v_status FROM accounts WHERE account_id = p_recipient;
  IF NOT FOUND OR v_status <> 'active' OR v_org <> p_sender_org THEN
    RETURN jsonb_build_object('reason', 'not_found');
  END IF;
  FOR dev IN SELECT device_pk, device_id, registration_id FROM devices
              WHERE account_id = p_recipient AND status = 'active'
              ORDER BY device_pk FOR UPDATE LOOP
    IF dev.device_pk <> p_sender_device_pk THEN
      by_pks := array_append(by_pks, dev.device_pk);
      by_ids := array_append(by_ids, dev.device_id);
      by_regs := array_append(by_regs, dev.registration_id);
    END IF;
  END LOOP;
  missing := ARRAY(SELECT x FROM unnest(by_ids) WITH ORDINALITY AS t (x, n)
                    WHERE NOT (x = ANY (p_device_ids)) ORDER BY n);
  extra := ARRAY(SELECT DISTINCT x FROM unnest(p_device_ids) AS t (x)
                  WHERE NOT (x = ANY (by_ids)));
  IF cardinality(missing) > 0 OR cardinality(extra) > 0 THEN
    RETURN jsonb_build_object('reason', 'mismatched', 'missingDevices', to_jsonb(missing),
                              'extraDevices', to_jsonb(extra));
  END IF;
  FOR i IN 1 .. cardinality(p_device_ids) LOOP
    idx := array_position(by_ids, p_device_ids[i]);
    IF by_regs[idx] <> p_registration_ids[i] THEN
      stale := array_append(stale, p_device_ids[i]);
    END IF;
  END LOOP;
  IF cardinality(stale) > 0 THEN
    RETURN jsonb_build_object('reason', 'stale', 'staleDevices', to_jsonb(stale));
  END IF;
  FOR i IN 1 .. cardinality(p_device_ids) LOOP
    pk := by_pks[array_position(by_ids, p_device_ids[i])];
    IF EXISTS (SELECT 1 FROM sent_log
                WHERE sender_device_pk = p_sender_device_pk
                  AND client_message_id = p_client_message_id AND recipient_device_pk = pk) THEN
      dups := array_append(dups, p_device_ids[i]);
      CONTINUE;
    END IF;
    SELECT COUNT(*) INTO n_own FROM envelopes
     WHERE device_pk = pk AND sender_account_id = p_sender_account;
    IF n_own >= p_max_per_sender THEN
      full_ids := array_append(full_ids, p_device_ids[i]);
      CONTINUE;
    END IF;
    IF n_own >= p_reserve THEN
      SELECT COUNT(*) INTO n_total FROM envelopes WHERE device_pk = pk;
      IF n_total >= p_max_per_device THEN
        full_ids := array_append(full_ids, p_device_ids[i]);
        CONTINUE;
      END IF;
    END IF;
    fresh_pks := array_append(fresh_pks, pk);
    fresh_ids := array_append(fresh_ids, p_device_ids[i]);
    fresh_types := array_append(fresh_types, p_types[i]);
    fresh_contents := array_append(fresh_contents, p_contents[i]);
  END LOOP;
  IF cardinality(full_ids) > 0 THEN
    RETURN jsonb_build_object('reason', 'queue_full', 'fullDevices', to_jsonb(full_ids));
  END IF;
  IF cardinality(fresh_pks) > 0 THEN
    SELECT max_queued_envelopes, max_queued_bytes INTO q_envelopes, q_bytes
      FROM org_quotas WHERE org = v_org;
    has_quota := FOUND AND (q_envelopes IS NOT NULL OR q_bytes IS NOT NULL);
    IF has_quota THEN
      -- The lock of org-quota.ts (lockOrgQuota): every node's quota checks one at a time.
      PERFORM pg_advisory_xact_lock(hashtext('pmsg_org_quota'), hashtext(v_org));
      SELECT COUNT(*), COALESCE(SUM(octet_length(content)), 0) INTO used_n, used_bytes
        FROM envelopes WHERE device_pk IN
          (SELECT d.device_pk FROM devices d JOIN accounts a USING (account_id) WHERE a.org = v_org);
      IF q_envelopes IS NOT NULL AND used_n + cardinality(fresh_pks) > q_envelopes THEN
        RETURN jsonb_build_object('reason', 'org_quota', 'quota', 'queued_envelopes',
                                  'limit', q_envelopes);
      END IF;
      IF q_bytes IS NOT NULL
         AND used_bytes + (SELECT COALESCE(SUM(octet_length(c)), 0) FROM unnest(fresh_contents) AS c)
             > q_bytes THEN
        RETURN jsonb_build_object('reason', 'org_quota', 'quota', 'queued_bytes', 'limit', q_bytes);
      END IF;
    END IF;
    -- Envelope ids in array order; the duplicate log; the NOTIFY, delivered on commit.
    INSERT INTO envelopes (device_pk, sender_account_id, sender_device_id, client_message_id,
                           type, content, client_timestamp, server_timestamp)
    SELECT u.pk, p_sender_account, p_sender_device_id, p_client_message_id, u.t, u.c,
           p_client_ts, p_now
      FROM unnest(fresh_pks, fresh_types, fresh_contents) WITH ORDINALITY AS u (pk, t, c, n)
     ORDER BY u.n;
    INSERT INTO sent_log (sender_device_pk, client_message_id, recipient_device_pk, created_at)
    SELECT p_sender_device_pk, p_client_message_id, l.pk, p_now FROM unnest(fresh_pks) AS l (pk);
    PERFORM pg_notify(p_channel, p_node || ':' || array_to_string(fresh_pks, ','));
  END IF;
  RETURN jsonb_build_object('reason', NULL, 'queuedDevices', to_jsonb(fresh_ids),
                            'queuedPks', to_jsonb(fresh_pks), 'duplicates', to_jsonb(dups));
END
$fn$;
`;
