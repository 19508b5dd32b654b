-- A native bulk transfer's or renewal's domains: how many it carried and how many its answer
-- shows not done, from which the command log's outcome says PARTIAL or FAILED (src/commandlog/outcome.ts).
-- AlterTable
ALTER TABLE "command_log" ADD COLUMN     "bulk_domains" INTEGER,
ADD COLUMN     "bulk_domains_not_done" INTEGER;
