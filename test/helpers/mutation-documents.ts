/**
 * What the mutation-document refusal tests (test/e2e/mutation-documents-*.test.ts) look at after a
 * document was refused: the contacts the default registry created, and what the gateway kept.
 */
import type { EppSandbox } from '../../src/sandbox/epp/index.js';
import type { TestGateway } from './gateway.js';

const postal = [{ type: 'int', name: 'Ada Lovelace', street: ['12 St James Sq'], city: 'London', cc: 'GB' }];

/** A valid CreateContactInput with id `id` (the document's field that runs first). */
export const contactInput = (id: string) => ({ id, postalInfo: postal, email: 'ada@example.org', authInfo: 'C0ntact-Pw' });

/** Contacts the default registry (sandbox-epp, where createContact goes without `registry`) created. */
export const contactsCreated = (t: TestGateway) => (t.gateway.sandboxes.sandboxes.get('sandbox-epp') as EppSandbox).applied('contact:create');

/** What the gateway kept for the keys and the contact: idempotency records, command log entries. */
export async function traces(t: TestGateway, keys: string[], contactId: string) {
  await t.gateway.commandLog.flush();
  const p = t.gateway.services.prisma;
  return {
    records: await p.idempotencyRecord.count({ where: { idempotencyKey: { in: keys } } }),
    commands: await p.commandLog.count({ where: { OR: [{ idempotencyKey: { in: keys } }, { objectName: contactId }] } }),
  };
}
