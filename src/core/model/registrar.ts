export interface Money {
  amount: string;
  currency: string;
}

/** The gateway registrar's account at one upstream. */
export interface UpstreamAccount {
  backend: string;
  upstreamId: string;
  balance?: Money | null;
}
