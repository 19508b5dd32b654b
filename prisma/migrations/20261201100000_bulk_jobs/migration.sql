-- CreateEnum
CREATE TYPE "bulk_job_state" AS ENUM ('RUNNING', 'COMPLETED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "bulk_item_state" AS ENUM ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');

-- CreateTable
CREATE TABLE "bulk_jobs" (
    "id" TEXT NOT NULL,
    "registrar_id" TEXT NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "params" JSONB NOT NULL,
    "state" "bulk_job_state" NOT NULL,
    "total" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "bulk_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bulk_items" (
    "id" BIGSERIAL NOT NULL,
    "job_id" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "backend" TEXT NOT NULL,
    "input" JSONB,
    "state" "bulk_item_state" NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "result" JSONB,
    "error" JSONB,
    "not_before" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "holder" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "bulk_items_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "bulk_jobs_state_idx" ON "bulk_jobs"("state");

-- CreateIndex
CREATE UNIQUE INDEX "bulk_jobs_registrar_id_idempotency_key_key" ON "bulk_jobs"("registrar_id", "idempotency_key");

-- CreateIndex
CREATE INDEX "bulk_items_backend_state_not_before_idx" ON "bulk_items"("backend", "state", "not_before");

-- CreateIndex
CREATE INDEX "bulk_items_job_id_state_position_idx" ON "bulk_items"("job_id", "state", "position");

-- CreateIndex
CREATE UNIQUE INDEX "bulk_items_job_id_position_key" ON "bulk_items"("job_id", "position");

-- AddForeignKey
ALTER TABLE "bulk_items" ADD CONSTRAINT "bulk_items_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "bulk_jobs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
