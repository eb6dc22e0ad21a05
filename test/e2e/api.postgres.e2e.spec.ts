import { describeWithPostgres } from '../support/postgres';
import { dropTestSchemas } from '../support/test-app';

/** The whole HTTP scenario, the analyst questions, text search, the malformed-input battery and the request fuzz again, on the PostgreSQL event store. */
describeWithPostgres('on the PostgreSQL event store', () => {
  beforeAll(() => {
    process.env.TIMELINE_TEST_STORE = 'postgres';
  });
  afterAll(async () => {
    delete process.env.TIMELINE_TEST_STORE;
    await dropTestSchemas();
  });
  require('./api.e2e.spec');
  require('./sources.e2e.spec');
  require('./analyst-queries.e2e.spec');
  require('./knowledge-search.e2e.spec');
  require('./malformed-requests.e2e.spec');
  require('./article-timeline.e2e.spec');
  require('./request-fuzz.e2e.spec');
});
