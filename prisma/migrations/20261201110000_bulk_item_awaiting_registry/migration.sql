-- AlterEnum
ALTER TYPE "bulk_item_state" ADD VALUE 'AWAITING_REGISTRY';

-- CreateIndex
CREATE INDEX "poll_messages_backend_upstream_id_idx" ON "poll_messages"("backend", "upstream_id");
