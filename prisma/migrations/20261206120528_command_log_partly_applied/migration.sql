-- An update the gateway sends as several requests (REPP, HeadlessDomains, Joker) whose later
-- request was refused or failed after the registry had applied an earlier one: its entry says
-- PARTIAL (applied) instead of FAILED or NOT_SENT (src/commandlog/outcome.ts). A constant default:
-- no table rewrite on PostgreSQL 11 and later.
ALTER TABLE "command_log" ADD COLUMN     "partly_applied" BOOLEAN NOT NULL DEFAULT false;
