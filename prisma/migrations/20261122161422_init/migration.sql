-- CreateEnum
CREATE TYPE "idempotency_state" AS ENUM ('IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'OUTCOME_UNKNOWN');

-- CreateEnum
CREATE TYPE "poll_message_type" AS ENUM ('TRANSFER_REQUESTED', 'TRANSFER_APPROVED', 'TRANSFER_REJECTED', 'TRANSFER_CANCELLED', 'TRANSFER_AUTO_APPROVED', 'AUTORENEWED', 'DELETED', 'PENDING_ACTION_COMPLETED', 'STATUS_CHANGED', 'BALANCE_LOW', 'OTHER');

-- CreateTable
CREATE TABLE "registrars" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "registrars_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" TEXT NOT NULL,
    "registrar_id" TEXT NOT NULL,
    "label" TEXT NOT NULL DEFAULT '',
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotency_records" (
    "id" TEXT NOT NULL,
    "registrar_id" TEXT NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "state" "idempotency_state" NOT NULL,
    "response" JSONB,
    "error" JSONB,
    "client_trid" TEXT,
    "server_trid" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "idempotency_records_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "command_log" (
    "id" BIGSERIAL NOT NULL,
    "registrar_id" TEXT NOT NULL,
    "backend" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "command" TEXT NOT NULL,
    "object_name" TEXT,
    "idempotency_key" TEXT,
    "client_trid" TEXT NOT NULL,
    "server_trid" TEXT,
    "result_code" INTEGER,
    "message" TEXT,
    "duration_ms" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "command_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "poll_messages" (
    "id" BIGSERIAL NOT NULL,
    "registrar_id" TEXT NOT NULL,
    "backend" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "upstream_id" TEXT NOT NULL,
    "type" "poll_message_type" NOT NULL,
    "object_kind" TEXT,
    "object_name" TEXT,
    "message" TEXT NOT NULL,
    "queued_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acked_at" TIMESTAMPTZ(3),
    "raw" TEXT NOT NULL,

    CONSTRAINT "poll_messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "domain_index" (
    "id" TEXT NOT NULL,
    "registrar_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "backend" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "domain_index_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_hash_key" ON "api_keys"("hash");

-- CreateIndex
CREATE INDEX "api_keys_registrar_id_idx" ON "api_keys"("registrar_id");

-- CreateIndex
CREATE INDEX "idempotency_records_expires_at_idx" ON "idempotency_records"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "idempotency_records_registrar_id_idempotency_key_key" ON "idempotency_records"("registrar_id", "idempotency_key");

-- CreateIndex
CREATE INDEX "command_log_registrar_id_created_at_idx" ON "command_log"("registrar_id", "created_at");

-- CreateIndex
CREATE INDEX "command_log_registrar_id_object_name_idx" ON "command_log"("registrar_id", "object_name");

-- CreateIndex
CREATE INDEX "command_log_registrar_id_idempotency_key_idx" ON "command_log"("registrar_id", "idempotency_key");

-- CreateIndex
CREATE INDEX "poll_messages_registrar_id_id_idx" ON "poll_messages"("registrar_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "poll_messages_backend_account_id_upstream_id_key" ON "poll_messages"("backend", "account_id", "upstream_id");

-- CreateIndex
CREATE UNIQUE INDEX "domain_index_registrar_id_name_key" ON "domain_index"("registrar_id", "name");

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_registrar_id_fkey" FOREIGN KEY ("registrar_id") REFERENCES "registrars"("id") ON DELETE CASCADE ON UPDATE CASCADE;
