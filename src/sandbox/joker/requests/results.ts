/**
 * result-list, result-retrieve, result-delete (DMAPI document): the answers to asynchronous
 * requests, listed until deleted; a deleted result keeps its status (showall lists it again).
 */
import type { Job } from '../records.js';
import { BadValue, MissingField, NotFound } from '../refusal.js';
import { stamp } from '../reply.js';
import { DAY_MS } from '../store.js';
import { glob, type Ctx, type Handler } from './common.js';


function count(c: Ctx, name: string): number | undefined {
  const v = c.p.get(name);
  if (v === undefined) return undefined;
  if (!/^\d{1,9}$/.test(v)) throw new BadValue(name, v, 'not a number');
  return Number(v);
}

const FILTERS: Array<[string, (j: Job) => string]> = [
  ['rtype', (j) => j.type],
  ['objid', (j) => j.object],
  ['procid', (j) => j.procId],
  ['svtrid', (j) => j.svTrId],
  ['cltrid', (j) => j.cltrid],
];

/** The reseller's results, newest last, filtered as the request asks. */
export const resultList: Handler = (c) => {
  const pending = c.p.get('pending') === '1';
  const showall = c.p.get('showall') === '1';
  const status = c.p.get('status');
  const days = count(c, 'period') ?? (c.p.get('date') ? 1 : 90);
  const until = c.p.get('date') ? Date.parse(c.p.get('date')!) + DAY_MS : c.now;
  if (Number.isNaN(until)) throw new BadValue('date', c.p.get('date')!, 'not a date');
  const tests = FILTERS.filter(([n]) => c.p.get(n) !== undefined).map(([n, f]) => {
    const t = glob(c.p.get(n)!);
    return (j: Job) => t(f(j));
  });
  let list = c.store.jobs.filter(
    (j) =>
      j.reseller === c.reseller.uid &&
      (showall || !j.deleted) &&
      (pending ? j.status === '?' : true) &&
      (status === undefined || j.status === status) &&
      j.acceptedAt <= until &&
      j.acceptedAt > until - days * DAY_MS &&
      tests.every((t) => t(j)),
  );
  if (c.p.get('count-only') === '1') return { body: [`Records: ${list.length}`] };
  const offset = count(c, 'offset') ?? 0;
  list = list.slice(offset, count(c, 'limit') === undefined ? undefined : offset + count(c, 'limit')!);
  return {
    headers: [['Columns', 'timestamp,svtrid,proc-id,request-type,request-object,status,cltrid']],
    body: list.map((j) => [stamp(j.acceptedAt), j.svTrId, j.procId, j.type, j.object, j.status, j.cltrid].join(' ')),
  };
};

function find(c: Ctx): Job {
  const sv = c.p.get('svtrid');
  const proc = c.p.get('proc-id');
  if (sv === undefined && proc === undefined) throw new MissingField('proc-id or svtrid');
  const j = c.store.jobs.find((x) => x.reseller === c.reseller.uid && (sv !== undefined ? x.svTrId === sv : x.procId === proc));
  if (!j) throw new NotFound('result', (sv ?? proc)!);
  return j;
}

/** The answer of one request as "key: value" lines: its ids and status, then the processing result while it is kept. */
export const resultRetrieve: Handler = (c) => {
  const j = find(c);
  const head = [`Proc-ID: ${j.procId}`, `SvTrId: ${j.svTrId}`, `Request-Type: ${j.type}`, `Request-Object: ${j.object}`, `Status: ${j.status}`];
  return { body: [...head, ...(j.answer ?? []).map(([k, v]) => `${k}: ${v}`)] };
};

/** Deletes the content of a result (its status stays); it is no longer listed. */
export const resultDelete: Handler = (c) => {
  const j = find(c);
  j.deleted = true;
  c.store.noteJob(j.procId);
  j.answer = null;
  return { body: [`Result ${j.procId} deleted`] };
};
