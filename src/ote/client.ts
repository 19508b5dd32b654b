/**
 * The OT&E runner's GraphQL client: one POST per operation to the gateway's own endpoint, with the
 * gateway API key. Every exchange is kept as evidence (HTTP status and the answer's body); values
 * of secret fields (authInfo, transferAuthInfo) are masked in what is kept.
 */

/** One exchange as the archive keeps it. */
export interface Exchange {
  httpStatus: number;
  body: unknown;
}

const SECRET_FIELDS = new Set(['authInfo', 'transferAuthInfo']);

/** A copy of `v` with the values of secret fields replaced by "****". */
export function maskSecretFields(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(maskSecretFields);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, SECRET_FIELDS.has(k) && typeof x === 'string' ? '****' : maskSecretFields(x)]));
}

/** The runner's GraphQL client of the gateway (HTTP POST, Bearer API key): each exchange kept for the archive with its secret fields masked (`****`). `send` answers what came back; `run` throws on GraphQL errors, and both throw on an answer that is not JSON. */
export class GatewayClient {
  constructor(
    private readonly url: string,
    private readonly apiKey: string,
  ) {}

  /** Runs one operation; answers its data (throws on errors) and the exchange as kept. */
  async run<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<{ data: T; exchange: Exchange }> {
    const { data, exchange, errors } = await this.send<T>(query, variables);
    if (errors) throw new Error(`GraphQL error: ${errors.map((e) => `${e.extensions?.code ?? ''} ${e.message}`.trim()).join('; ').slice(0, 300)}`);
    return { data: data as T, exchange };
  }

  /** Runs one operation and answers whatever came back. */
  async send<T>(query: string, variables: Record<string, unknown>): Promise<{ data: T | null; errors: Array<{ message: string; extensions?: { code?: string } }> | null; exchange: Exchange }> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${this.apiKey}` },
      body: JSON.stringify({ query, variables }),
    });
    const text = await res.text();
    let body: { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`gateway answered HTTP ${res.status} without JSON`);
    }
    return { data: body.data ?? null, errors: body.errors?.length ? body.errors : null, exchange: { httpStatus: res.status, body: maskSecretFields(body) } };
  }
}
