'use strict';
// Runs autocannon on its own thread, so the load generator does not share the server's event loop.
// Records every 2xx response time itself (autocannon's histogram keeps whole milliseconds only).
const { parentPort, workerData } = require('node:worker_threads');
const autocannon = require('autocannon');

// `paths` to GET in turn, or `requests` as autocannon takes them (without functions).
const { url, paths, requests, connections, duration } = workerData;
const latencies = [];
const statuses = {};

const instance = autocannon(
  {
    url,
    connections,
    duration,
    timeout: 30,
    requests: requests ?? paths.map((path) => ({ method: 'GET', path })),
  },
  (error, result) => {
    if (error) {
      parentPort.postMessage({ error: String((error && error.stack) || error) });
      return;
    }
    parentPort.postMessage({
      latencies: Float64Array.from(latencies),
      statuses,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      totalRequests: result.requests && result.requests.total,
      elapsedMs: new Date(result.finish).getTime() - new Date(result.start).getTime(),
    });
  },
);
instance.on('response', (_client, statusCode, _bytes, responseTime) => {
  statuses[statusCode] = (statuses[statusCode] || 0) + 1;
  if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
});
