/**
 * How every instance hears that an API key changed, so that a revoked key stops working at once
 * everywhere: the database announces it. A trigger on api_keys and registrars (migration
 * 20261201100000_api_key_change_notify) sends NOTIFY on channel "rgw_api_keys" with "key:<id>"
 * or "registrar:<id>" whenever what a key resolves to changes, and each instance LISTENs.
 *
 * Why the database and not Redis pub/sub: the database is where every revocation lands, from any
 * instance, from the command line, or from SQL typed by an operator, and the
 * trigger announces each one in the transaction that makes it; a Redis message would have to be
 * sent by every writer and would be missed by the ones that do not know Redis. It also needs no
 * Redis (the embedded database LISTENs in process). When the listening connection is down,
 * announcements are lost: the cache is emptied when it drops and when it is back, and in between
 * entries live their TTL (auth.keyCacheTtlMs, 10 s by default) as without announcements.
 *
 * An announcement also has open WebSocket connections re-checked at once (KeyRevocationWatch),
 * instead of at its next period.
 */
import type { Listen, Unlisten } from '../db/listen.js';
import { OutageLog } from '../observe/outage-log.js';
import type { Logger } from '../logger.js';
import type { ApiKeyCache } from './key-cache.js';
import type { KeyRevocationWatch } from './revocation.js';

/** The PostgreSQL NOTIFY channel the api_keys and registrars triggers announce on; payload "key:<id>" or "registrar:<id>". */
export const KEY_CHANGES_CHANNEL = 'rgw_api_keys';

/** Listens for key changes; resolves once listening (or once the first attempt failed: it keeps retrying). */
export async function followKeyChanges(listen: Listen, cache: ApiKeyCache, revocations: KeyRevocationWatch, logger: Logger): Promise<Unlisten> {
  const recheck = () => void revocations.check().catch((err: unknown) => logger.warn({ err }, 'API key revocation check failed; trying again next period'));
  const outage = new OutageLog(logger, 'API key changes: listening', 'keys are trusted for their TTL until it is back; reconnected after 1 s, doubling to 30 s');
  return listen(KEY_CHANGES_CHANNEL, {
    onNotify(payload) {
      const [kind, id] = [payload.slice(0, payload.indexOf(':')), payload.slice(payload.indexOf(':') + 1)];
      if (kind === 'key') cache.forget(id);
      else if (kind === 'registrar') cache.forgetRegistrar(id);
      else cache.forgetAll();
      recheck();
    },
    onGap() {
      cache.forgetAll();
      recheck();
    },
    onError(err) {
      outage.failed(err.message);
    },
    onListening() {
      outage.succeeded();
    },
  });
}
