-- Facts every instance sharing the database must agree on (src/idempotency/key-check.ts): the
-- check value of the idempotency key, an HMAC of a fixed label under it, never the key.
-- CreateTable
CREATE TABLE "deployment_settings" (
    "name" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "deployment_settings_pkey" PRIMARY KEY ("name")
);
