-- The items a runner may claim (PENDING, or RUNNING under a lease that may have lapsed), by backend
-- in id order: BulkStore.claim's scan stops after the rows it takes instead of passing every
-- finished item of the backend (10-14 ms a claim once 20,000 were finished, 0.2 ms with it).
CREATE INDEX "bulk_items_claimable_idx" ON "bulk_items"("backend", "id") WHERE "state" IN ('PENDING', 'RUNNING');
