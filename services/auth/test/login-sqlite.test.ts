import { startAuthFixture } from './support/auth-fixture';
import { coreScenarios } from './support/core-scenarios';

coreScenarios('SQLite', (options) => startAuthFixture(options));
