'use strict';
// Runs autocannon on its own thread, so the load generator does not share the server's event loop.
// Records every 2xx response time itself (autocannon's histogram keeps whole milliseconds only).
const { parentPort, workerData } = require('node:worker_threads');
const autocannon = require('autocannon');

// `paths` to GET in turn, or `requests` as autocannon takes them (without functions). autocannon walks
// the list from its start on each connection; `spread`: one list for all of them instead, each request
// the next of it, so requests in flight at once go to different entries (writes to different streams).
const { url, paths, requests, spread, connections, duration } = workerData;
const list = requests ?? paths.map((path) => ({ method: 'GET', path }));
let next = 0;
const latencies = [];
const statuses = {};

const instance = autocannon(
  {
    url,
    connections,
    duration,
    timeout: 30,
    requests: spread ? [{ setupRequest: (request) => ({ ...request, ...list[next++ % list.length] }) }] : list,
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
