/** The error `p` rejects with; throws when it fulfils instead (the test expected a rejection). */
export async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}
