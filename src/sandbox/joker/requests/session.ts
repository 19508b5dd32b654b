/** login and logout (DMAPI document, "login", "logout"). */
import { NotAuthenticated } from '../refusal.js';
import type { Ctx, Handler } from './common.js';

/** Authenticates by api-key, or by username and password; answers Auth-Sid, UID and the reseller's TLDs. */
export const login: Handler = (c: Ctx) => {
  const key = c.p.get('api-key');
  const user = c.p.get('username');
  const pass = c.p.get('password');
  const r = [...c.store.resellers.values()].find((x) => (key !== undefined ? x.apiKey === key : user !== undefined && x.username === user.toLowerCase() && x.password === pass));
  if (!r) throw new NotAuthenticated(key !== undefined || user !== undefined ? 'invalid credentials' : 'api-key, or username and password, required');
  const sid = c.store.newSid();
  c.store.sessions.set(sid, { sid, uid: r.uid, lastSeen: c.now });
  c.reseller = r;
  return { headers: [['Auth-Sid', sid], ['UID', r.uid]], body: [...c.store.cfg.tlds] };
};

/** Ends the session; the Auth-Sid may not be used any more. */
export const logout: Handler = (c: Ctx) => {
  c.store.sessions.delete(c.p.req('auth-sid'));
  return {};
};
