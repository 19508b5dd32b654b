-- A registrar's poll messages numbered 1, 2, 3, ... in id order with no gap (src/poll/stream.ts):
-- a live event whose seq is not the next one a subscription expects tells it that earlier
-- messages are stored but their events have not arrived yet, so it reads them from the store
-- instead of delivering out of id order. New rows get it in PollService.store under the
-- registrar's order lock; existing rows are numbered here, in id order.
-- AlterTable
ALTER TABLE "poll_messages" ADD COLUMN "seq" BIGINT;

UPDATE "poll_messages" AS m SET "seq" = n."seq"
FROM (SELECT "id", ROW_NUMBER() OVER (PARTITION BY "registrar_id" ORDER BY "id") AS "seq" FROM "poll_messages") AS n
WHERE m."id" = n."id";

ALTER TABLE "poll_messages" ALTER COLUMN "seq" SET NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "poll_messages_registrar_id_seq_key" ON "poll_messages"("registrar_id", "seq");
