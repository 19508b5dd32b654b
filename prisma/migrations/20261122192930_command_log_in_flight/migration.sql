-- AlterTable
ALTER TABLE "command_log" ALTER COLUMN "duration_ms" DROP NOT NULL;
