/**
 * Account statements and native bulk actions (REPP document, "Get account balance" and "Bulk
 * actions"): what a registry answers for many domains in one request. Names are A-labels.
 */
import type { Money } from './registrar.js';

/** One line of the registrar's account statement. Amounts are the registry's decimal text ("-6.0"). */
export interface BalanceTransaction {
  at: Date;
  description: string;
  type: 'debit' | 'credit';
  amount: string;
  /** The balance after this transaction. */
  balance: string;
}

/** The balance now and the transactions of a date range, newest first. */
export interface BalanceStatement {
  money: Money;
  transactions: BalanceTransaction[];
}

/** A date range in the registry's own calendar: transactions from `from` (inclusive) to `until` (exclusive); null is open. */
export interface DateRange {
  from?: Date | null;
  until?: Date | null;
}

/** A domain a bulk action left alone, with the registry's reasons (result code and message each). */
export interface BulkFailure {
  name: string;
  errors: { code: number | null; message: string }[];
}

/** Bulk transfer: the names moved to the caller, and those refused with the registry's reasons. */
export interface BulkTransferResult {
  transferred: string[];
  failed: BulkFailure[];
}

/** A bulk replacement: the domains changed, and those the registry skipped (e.g. a server*UpdateProhibited status). */
export interface BulkReplaceResult {
  affected: string[];
  skipped: string[];
}
