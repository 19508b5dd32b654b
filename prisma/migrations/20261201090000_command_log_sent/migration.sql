-- AlterTable
ALTER TABLE "command_log" ADD COLUMN     "sent" BOOLEAN NOT NULL DEFAULT true;
