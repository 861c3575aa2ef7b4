/**
 * Imported first by the read-path benchmark and the runner: libraries read NODE_ENV when they load
 * (graphql-js keeps its development-only `instanceOf` checks otherwise), and the Docker image runs
 * with NODE_ENV=production. An explicit NODE_ENV still wins.
 */
process.env.NODE_ENV ??= 'production';
