-- The entries of commands sent under an idempotency key whose answer was never written (in flight,
-- or their process stopped first): the idempotency sweep's settleAnsweredEntries reads these every
-- idempotency.leaseMs on every instance, so its scan is the few unanswered rows, not the log.
CREATE INDEX "command_log_unanswered_idx" ON "command_log"("registrar_id", "idempotency_key") WHERE "result_code" IS NULL AND "reconciled" IS NULL AND "sent" AND "idempotency_key" IS NOT NULL;
