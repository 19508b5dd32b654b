-- A claim shares its items between the jobs that have some to run (BulkStore.claim): it reads the
-- jobs not finished, then each one's claimable items (PENDING, or RUNNING under a lease that may
-- have lapsed) of the backend in id order. Both partial indexes: only the rows a claim may want.
DROP INDEX "bulk_items_claimable_idx";
CREATE INDEX "bulk_items_claimable_idx" ON "bulk_items"("backend", "job_id", "id") WHERE "state" IN ('PENDING', 'RUNNING');
CREATE INDEX "bulk_jobs_unfinished_idx" ON "bulk_jobs"("registrar_id") WHERE "finished_at" IS NULL;
