-- API key changes are announced to every gateway instance (src/auth/key-changes.ts), which keep
-- resolved keys in memory: NOTIFY on channel "rgw_api_keys" whenever what a key resolves to
-- changes (revoked, un-revoked, moved, rehashed, deleted; its registrar renamed or deleted), from
-- whatever made the change: any instance, the CLI, or SQL by hand. The payload is "key:<id>" or
-- "registrar:<id>", never a hash. last_used_at updates (once a minute per key) announce nothing.
CREATE FUNCTION rgw_api_key_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- An update that changes nothing (the registrars' upsert at every start) announces nothing.
  IF TG_OP = 'UPDATE' AND OLD IS NOT DISTINCT FROM NEW THEN
    RETURN NULL;
  END IF;
  IF TG_TABLE_NAME = 'api_keys' THEN
    PERFORM pg_notify('rgw_api_keys', 'key:' || OLD.id);
  ELSE
    PERFORM pg_notify('rgw_api_keys', 'registrar:' || OLD.id);
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER api_keys_changed
  AFTER UPDATE OF revoked_at, registrar_id, hash OR DELETE ON "api_keys"
  FOR EACH ROW EXECUTE FUNCTION rgw_api_key_changed();

CREATE TRIGGER registrars_changed
  AFTER UPDATE OF name, id OR DELETE ON "registrars"
  FOR EACH ROW EXECUTE FUNCTION rgw_api_key_changed();
