import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printEmittedSchema } from './build-schema';

/** npm run schema:emit — writes src/schema/schema.graphql from the code. */
void (async () => {
  const target = join(__dirname, '..', '..', '..', 'src', 'schema', 'schema.graphql');
  writeFileSync(target, await printEmittedSchema());
  console.log(`wrote ${target}`);
})();
