// Runs once before the integration tests: makes sure the Temporal CLI (the dev server) exists.
const { ensureTemporalCli } = require('../../scripts/ensure-temporal-cli');

module.exports = async function globalSetup() {
  process.env.TEMPORAL_CLI_PATH = await ensureTemporalCli();
};
