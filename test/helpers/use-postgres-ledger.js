// jest project `integration-postgres`: the workflow suites' ledgers live on PostgreSQL (test/helpers/test-ledger.ts).
process.env.INTACCT_ASSIGNAR_TEST_LEDGER = 'postgres';
