-- AlterTable
ALTER TABLE "idempotency_records" ADD COLUMN     "backend" TEXT,
ADD COLUMN     "request" JSONB;

-- AlterTable
ALTER TABLE "poll_messages" ADD COLUMN     "payload" JSONB;

-- CreateTable
CREATE TABLE "poll_leases" (
    "account" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "poll_leases_pkey" PRIMARY KEY ("account")
);
