-- AlterTable
ALTER TABLE "command_log" ADD COLUMN     "reconciled" BOOLEAN,
ADD COLUMN     "reconciled_at" TIMESTAMPTZ(3);
