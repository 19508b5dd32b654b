import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../../src/context.js';
import { ObjectNotFoundError, quoted, ValidationError } from '../../src/core/errors.js';
import type { BulkRequest } from '../../src/bulk/submit.js';
import type { DomainNameserver } from '../../src/core/model/index.js';
import { bulkRequestChecks, checkItemNames, isoDates } from '../../src/bulk/submit.js';
import { BULK_OPERATIONS } from '../../src/bulk/kinds.js';
import { NO_BULK_JOB } from '../../src/bulk/service.js';
import { revivedJobView, type CountsView, type ItemView, type JobView } from '../../src/bulk/views.js';
import { pageOf, type Page } from '../../src/connections/page.js';
import { checkClientStatuses } from '../../src/validation/contact.js';
import { checkPageSize } from '../../src/validation/cursors.js';
import { parseJobId } from '../../src/validation/ids.js';
import { checkNameserver, DOMAIN_CLIENT_STATUSES } from '../../src/validation/inputs.js';
import { checkAuthInfo, checkObjectId, normalizeDomainName } from '../../src/validation/names.js';
import { checkNotAddedAndRemoved, checkPeriod } from '../../src/validation/values.js';
import { PeriodInput } from '../../schema/common/common.input.js';
import { ClientStatus, NameserverInput } from '../../schema/domain/domain.input.js';
import { BulkRenewItemInput, BulkTransferItemInput } from '../../schema/bulk/bulk.input.js';
import { BulkItemConnection, BulkItemState, BulkJob, BulkJobCounts, BulkJobPayload } from '../../schema/bulk/bulk.type.js';
import { actorOf, localChecks, parsedArgs, type KeyArg, type MutationChecks, type MutationInputs } from '../common/mutate.js';
import { runOperation } from '../../src/operations/run.js';

const MAX_ITEMS_PAGE = 1000;

/** A bulk submission parsed: its actor (the job's mutation named as the cause of the commands its reads and items send) and its request. */
function submission(ctx: GatewayContext, key: string, req: BulkRequest) {
  // Reads made to submit (the registrar's domain lists) are logged under the job's mutation, as its items' commands are.
  return { actor: { ...actorOf(ctx, key), cause: BULK_OPERATIONS[req.kind] }, req };
}

async function submit(ctx: GatewayContext, { actor, req }: ReturnType<typeof submission>): Promise<BulkJobPayload> {
  return (await ctx.bulk.submit(actor, req)) as unknown as BulkJobPayload;
}

/**
 * A job's listed names checked (checkItemNames: normalised, each at most once), as errors name them:
 * `domains[i].name` for a list of items (`items`: bulkRenew, bulkTransfer), else `domains[i]`.
 * Made once per request for the same names (ctx.lists, src/validation/list-parses.ts): aliases
 * over one `domains` variable share the check, each error still at its own field's path. The
 * array answered is shared: map it, never change it.
 */
const itemNames = (ctx: GatewayContext, list: readonly string[], items: boolean): Promise<string[]> =>
  ctx.lists.once(items ? 'bulk domains[i].name' : 'bulk domains[i]', list, () =>
    checkItemNames('domains', list, ctx.bulk.settings.maxItems, items ? undefined : (i) => `domains[${i}]`),
  );

const names = async (ctx: GatewayContext, list: string[] | null | undefined) => (list == null ? null : (await itemNames(ctx, list, false)).map((name) => ({ name })));

/**
 * A replacement name server with addresses (glue, RFC 5731 hostAttr / RFC 5732), checked as
 * updateDomain checks one it adds: addresses only for a name server under the domain itself, so
 * under every listed domain (ValidationError on `to.ipv4`, or `to.ipv6`, naming the first listed
 * domain it is not under); a job over every domain (`items` null) holds domains it is not under,
 * so it takes none. The addresses are then checked as a domain's own name server's are.
 */
function withGlue(to: DomainNameserver, given: NameserverInput, items: { name: string }[] | null): DomainNameserver {
  if (to.ipv4.length + to.ipv6.length === 0) return to;
  const field = `to.${to.ipv4.length ? 'ipv4' : 'ipv6'}`;
  const rule = 'addresses (glue) are only allowed for a name server under the domain itself';
  if (!items) throw new ValidationError(field, `${rule}, and a job over every domain holds domains ${quoted(to.name)} is not under: list the domains it is under, or leave the addresses out`);
  const i = items.findIndex((d) => !to.name.endsWith(`.${d.name}`));
  if (i >= 0) throw new ValidationError(field, `${rule}: ${quoted(to.name)} is not under domains[${i}] ${quoted(items[i]!.name)}`);
  return checkNameserver('to', given, items[0]!.name);
}

/**
 * The parse step of each bulk mutation (common/mutate.ts MutationInputs): its resolver's first
 * step, and the pre-pass's (asynchronous: long name lists are checked in slices that yield to the
 * event loop). Items and parameters are checked before the key, as they always were.
 */
export const bulkMutationInputs = {
  bulkRenew: async (a: KeyArg & { domains: BulkRenewItemInput[]; period?: PeriodInput | null }, ctx: GatewayContext) => {
    const iso = isoDates();
    const items = (await itemNames(ctx, a.domains.map((d) => d.name), true)).map((name, i) => ({ name, currentExpiry: iso(a.domains[i]!.currentExpiry) }));
    return submission(ctx, a.idempotencyKey, { kind: 'RENEW', params: { period: checkPeriod('period', a.period ?? { value: 1, unit: 'y' }) }, items });
  },
  bulkTransfer: async (a: KeyArg & { domains: BulkTransferItemInput[]; period?: PeriodInput | null }, ctx: GatewayContext) => {
    const authInfos = a.domains.map((d, i) => checkAuthInfo(`domains[${i}].authInfo`, d.authInfo));
    const items = (await itemNames(ctx, a.domains.map((d) => d.name), true)).map((name, i) => ({ name, authInfo: authInfos[i]! }));
    return submission(ctx, a.idempotencyKey, { kind: 'TRANSFER', params: { period: a.period ? checkPeriod('period', a.period) : null }, items });
  },
  bulkReplaceNameserver: async (a: KeyArg & { from: string; to: NameserverInput; domains?: string[] | null }, ctx: GatewayContext) => {
    const params = { from: normalizeDomainName('from', a.from), to: checkNameserver('to', a.to, null) };
    // Each item removes `from` and adds `to` where it is not there yet: the same name would only remove it.
    if (params.to.name === params.from) throw new ValidationError('to.name', `is the name server to replace (from): a name server cannot replace itself`);
    const items = await names(ctx, a.domains);
    return submission(ctx, a.idempotencyKey, { kind: 'REPLACE_NAMESERVER', params: { ...params, to: withGlue(params.to, a.to, items) }, items });
  },
  bulkReplaceTechContact: async (a: KeyArg & { from: string; to: string; domains?: string[] | null }, ctx: GatewayContext) => {
    const params = { from: checkObjectId('from', a.from), to: checkObjectId('to', a.to) };
    if (params.to === params.from) throw new ValidationError('to', 'is the contact to replace (from): a contact cannot replace itself');
    return submission(ctx, a.idempotencyKey, { kind: 'REPLACE_TECH_CONTACT', params, items: await names(ctx, a.domains) });
  },
  bulkUpdateStatuses: async (a: KeyArg & { domains: string[]; add: ClientStatus[]; remove: ClientStatus[] }, ctx: GatewayContext) => {
    const params = { add: checkClientStatuses('add', a.add, DOMAIN_CLIENT_STATUSES), remove: checkClientStatuses('remove', a.remove, DOMAIN_CLIENT_STATUSES) };
    if (params.add.length + params.remove.length === 0) throw new ValidationError('add', 'give at least one status to add or remove');
    // A registry refuses a command that adds and removes one status (EPP 2306): refused here, before a job sends one per domain.
    checkNotAddedAndRemoved('add', params.add, 'remove', params.remove, (s) => s, 'a status');
    return submission(ctx, a.idempotencyKey, { kind: 'UPDATE_STATUSES', params, items: await names(ctx, a.domains) });
  },
  // The id's form is checked here (BAD_USER_INPUT on `id`); the job is looked up (a read) in the resolver, after this.
  cancelBulkJob: (a: KeyArg & { id: string }, ctx: GatewayContext) => {
    const id = parseJobId('id', a.id);
    return { actor: actorOf(ctx, a.idempotencyKey), id };
  },
} satisfies MutationInputs;

/** What a bulk job's submission refuses without a round trip (bulkRequestChecks: each listed name's routing, each backend's argument rules, period and contacts), as submitBulkJob checks it first. */
const bulkChecks = localChecks((p: ReturnType<typeof submission>, ctx, caps) => bulkRequestChecks(ctx.router, p.req, caps));

/** The checks of each bulk submission that need no registry (common/mutate.ts MutationChecks), for the pre-pass; cancelBulkJob's job is read from the database when it runs. */
export const bulkMutationChecks = {
  bulkRenew: bulkChecks,
  bulkTransfer: bulkChecks,
  bulkReplaceNameserver: bulkChecks,
  bulkReplaceTechContact: bulkChecks,
  bulkUpdateStatuses: bulkChecks,
} satisfies MutationChecks;

function cursorPosition(after: string): number {
  if (!/^\d{1,9}$/.test(after)) throw new ValidationError('after', 'must be a cursor this connection gave (an item position)');
  return Number(after);
}

/**
 * The bulkJob query (its counts and items), the five bulk mutations (src/bulk/submit.ts) and
 * cancelBulkJob. A job id that is not a UUID is BAD_USER_INPUT on `id` before anything is read
 * (parseJobId); one that is not the viewer's reads as none (null; cancelBulkJob: OBJECT_NOT_FOUND on `id`).
 */
@Resolver(() => BulkJob)
export class BulkResolver {
  @Query(() => BulkJob, { nullable: true, description: "One of the viewer's bulk jobs (null for an id that is not the viewer's; BAD_USER_INPUT, field id, for one that is not a UUID)." })
  bulkJob(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<JobView | null> {
    return ctx.bulk.job(ctx.registrar.id, parseJobId('id', id));
  }

  /** Counts known with the job (a submission's answer, a progress event) or read now: only when the query asks for them. */
  @FieldResolver(() => BulkJobCounts)
  counts(@Root() job: JobView, @Ctx() ctx: GatewayContext): CountsView | Promise<CountsView> {
    return job.counts ?? ctx.bulk.counts(job.id);
  }

  @FieldResolver(() => BulkItemConnection, { description: 'The items by position; with `states`, only the items in those states (an empty list: none; null or left out: every state).' })
  async items(
    @Root() job: JobView,
    @Arg('first', () => Int, { defaultValue: 100 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('states', () => [BulkItemState], { nullable: true }) states: BulkItemState[] | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<Page<ItemView>> {
    checkPageSize('first', first, MAX_ITEMS_PAGE);
    const from = after === null || after === undefined ? null : cursorPosition(after);
    const { items, hasMore } = await ctx.bulk.items(job.id, first, from, states);
    const before = from === null ? false : () => ctx.bulk.hasItemsBefore(job.id, from + 1, states);
    return pageOf(items.map((node) => ({ cursor: String(node.position), node })), hasMore, before);
  }

  @Mutation(() => BulkJobPayload, { nullable: true, description: 'Renew many domains: answers the job at once; each domain is renewed exactly once, as renewDomain does.' })
  async bulkRenew(
    @Arg('idempotencyKey') key: string,
    @Arg('domains', () => [BulkRenewItemInput]) domains: BulkRenewItemInput[],
    @Arg('period', () => PeriodInput, { nullable: true, description: 'Defaults to 1 year.' }) period: PeriodInput | null,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return submit(ctx, await parsedArgs(ctx, info, bulkMutationInputs.bulkRenew, { idempotencyKey: key, domains, period }));
  }

  @Mutation(() => BulkJobPayload, { nullable: true, description: 'Request the transfer of many domains to the viewer, each with its auth code.' })
  async bulkTransfer(
    @Arg('idempotencyKey') key: string,
    @Arg('domains', () => [BulkTransferItemInput]) domains: BulkTransferItemInput[],
    @Arg('period', () => PeriodInput, { nullable: true, description: 'Years added on transfer (registry default when absent).' }) period: PeriodInput | null,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return submit(ctx, await parsedArgs(ctx, info, bulkMutationInputs.bulkTransfer, { idempotencyKey: key, domains, period }));
  }

  @Mutation(() => BulkJobPayload, { nullable: true, description: 'Replace name server `from` by `to` on the listed domains, or on all the viewer\'s domains; a domain without `from` is skipped.' })
  async bulkReplaceNameserver(
    @Arg('idempotencyKey') key: string,
    @Arg('from') from: string,
    @Arg('to', () => NameserverInput) to: NameserverInput,
    @Arg('domains', () => [String], { nullable: true, description: "Null: every domain of the viewer's." }) domains: string[] | null,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return submit(ctx, await parsedArgs(ctx, info, bulkMutationInputs.bulkReplaceNameserver, { idempotencyKey: key, from, to, domains }));
  }

  @Mutation(() => BulkJobPayload, { nullable: true, description: 'Replace tech contact `from` by `to` on the listed domains, or on all the viewer\'s domains; a domain without `from` is skipped.' })
  async bulkReplaceTechContact(
    @Arg('idempotencyKey') key: string,
    @Arg('from') from: string,
    @Arg('to') to: string,
    @Arg('domains', () => [String], { nullable: true, description: "Null: every domain of the viewer's." }) domains: string[] | null,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return submit(ctx, await parsedArgs(ctx, info, bulkMutationInputs.bulkReplaceTechContact, { idempotencyKey: key, from, to, domains }));
  }

  @Mutation(() => BulkJobPayload, { nullable: true, description: 'Add and remove client statuses (clientHold, clientTransferProhibited ...) on many domains.' })
  async bulkUpdateStatuses(
    @Arg('idempotencyKey') key: string,
    @Arg('domains', () => [String]) domains: string[],
    @Arg('add', () => [ClientStatus], { defaultValue: [] }) add: ClientStatus[],
    @Arg('remove', () => [ClientStatus], { defaultValue: [] }) remove: ClientStatus[],
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return submit(ctx, await parsedArgs(ctx, info, bulkMutationInputs.bulkUpdateStatuses, { idempotencyKey: key, domains, add, remove }));
  }

  @Mutation(() => BulkJob, { nullable: true, description: 'Cancel a job: items not started become CANCELLED (nothing is sent for them); running items finish. The same key again answers the job as the first cancel did (its state and counts then).' })
  async cancelBulkJob(@Arg('idempotencyKey') key: string, @Arg('id', () => ID) rawId: string, @Ctx() ctx: GatewayContext, @Info() info: GraphQLResolveInfo): Promise<JobView> {
    // `id` is the parsed one (a UUID, lowercase): a malformed one was refused, nothing read.
    const { actor, id } = parsedArgs(ctx, info, bulkMutationInputs.cancelBulkJob, { idempotencyKey: key, id: rawId });
    // An id that is not one of the viewer's jobs is refused before the key's record is written: the
    // refusal is the gateway's, nothing applied, so the key stays free (README, Idempotency contract).
    if (!(await ctx.bulk.job(ctx.registrar.id, id))) throw new ObjectNotFoundError(NO_BULK_JOB, { field: 'id' });
    // The job as the cancel left it is the key's answer: a retry (a lost answer) gets the state and
    // counts of then, as any replay gets the first answer, not those of now (its items, a connection, are read fresh).
    const { result } = await runOperation(ctx, actor, 'cancelBulkJob', { id }, async () => {
      const job = await ctx.bulk.cancel(ctx.registrar.id, id);
      return { trid: { client: `gateway-cancel-${job.id}` }, code: 1000, message: null, job };
    });
    // A record written before the job was kept with it (or reconciled after a crash) answers the job as it is now.
    return result.job ? revivedJobView(result.job) : (await ctx.bulk.job(ctx.registrar.id, id))!;
  }
}
