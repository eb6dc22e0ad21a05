'use strict';
// SSE clients for bench/sse-bench.ts, on their own thread so that parsing frames does not share
// the server's event loop. Plain node:http, frames parsed here (no EventSource library).
//
// mode 'live':    on {type:'connect'}, `subscribers` connections to `url`; posts {type:'ready'} once every one has
//                 received its `retry:` frame. Each event of type `benchType` carries
//                 data.seq (0, 1, 2, ...) and data.sentAt (performance.timeOrigin + now() in the
//                 writer's thread); its latency is the arrival time of the chunk that completed it
//                 minus sentAt. On {type:'finish', count, waitMs} it waits (at most waitMs) until
//                 every subscriber has seq count-1, lingers `graceMs` for late duplicates, closes
//                 everything and posts {type:'result', ...}.
// mode 'catchup': one connection; counts events until `expect` have arrived, checking that ids
//                 are consecutive positions from after+1 and that each data parses and names its
//                 own position; posts {type:'result', elapsedMs, ...}.
// Both answer {type:'clock', t0} with {type:'clock', t0, tw} (to check the clocks agree).
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');

const now = () => performance.timeOrigin + performance.now();

parentPort.on('message', (message) => {
  if (message.type === 'clock') parentPort.postMessage({ type: 'clock', t0: message.t0, tw: now() });
});

/**
 * One SSE connection. `onEvent(id, event, data, arrivedAt)` for each complete message with data;
 * comments and `retry:` frames go to `onOther(frame)`.
 */
function connect(url, onEvent, onOther, onEnd) {
  let buffer = '';
  const request = http.get(url, { agent: false, headers: { accept: 'text/event-stream' } }, (response) => {
    const type = String(response.headers['content-type'] || '');
    if (response.statusCode !== 200 || !type.startsWith('text/event-stream')) {
      onEnd(`answered ${response.statusCode} ${type}`);
      response.resume();
      return;
    }
    response.setEncoding('utf8');
    response.on('data', (chunk) => {
      const arrivedAt = now();
      buffer += chunk;
      let start = 0;
      for (;;) {
        const end = buffer.indexOf('\n\n', start);
        if (end === -1) break;
        parseFrame(buffer.slice(start, end), arrivedAt);
        start = end + 2;
      }
      if (start > 0) buffer = buffer.slice(start);
    });
    response.on('end', () => onEnd('the server ended the stream'));
    response.on('error', (error) => onEnd(`response error: ${error.message}`));
  });
  request.on('error', (error) => onEnd(`request error: ${error.message}`));

  function parseFrame(frame, arrivedAt) {
    let id;
    let event = 'message';
    let data;
    for (let line of frame.split('\n')) {
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'id') id = value;
      else if (field === 'event') event = value;
      else if (field === 'data') data = data === undefined ? value : `${data}\n${value}`;
    }
    if (data === undefined) onOther(frame);
    else onEvent(id, event, data, arrivedAt);
  }

  return request;
}

function live() {
  const { url, subscribers, benchType, capacity, readyTimeoutMs, graceMs } = workerData;
  const clients = [];
  let finishing = false;
  let latencies = new Float64Array(Math.max(1024, capacity));
  let latencyCount = 0;
  const addLatency = (ms) => {
    if (latencyCount === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[latencyCount++] = ms;
  };

  let readyTimer;
  const start = () => {
    for (let i = 0; i < subscribers; i++) {
      const client = {
        ready: false,
        received: 0,
        lastSeq: -1,
        lastPosition: 0,
        lastArrivedAt: 0,
        duplicates: 0,
        missing: 0,
        outOfOrder: 0,
        malformed: 0,
        otherEvents: 0,
        error: undefined,
        request: undefined,
      };
      client.request = connect(
        url,
        (id, event, data, arrivedAt) => {
          let parsed;
          try {
            parsed = JSON.parse(data);
          } catch {
            client.malformed++;
            return;
          }
          const position = Number(id);
          if (parsed.position !== position || parsed.type !== event) client.malformed++;
          if (!(position > client.lastPosition)) client.outOfOrder++;
          client.lastPosition = Math.max(client.lastPosition, position);
          if (event !== benchType) {
            client.otherEvents++;
            return;
          }
          const seq = parsed.data.seq;
          client.received++;
          if (seq === client.lastSeq + 1) {
            client.lastSeq = seq;
            client.lastArrivedAt = arrivedAt;
            addLatency(arrivedAt - parsed.data.sentAt);
          } else if (seq <= client.lastSeq) {
            client.duplicates++;
          } else {
            client.missing += seq - client.lastSeq - 1;
            client.lastSeq = seq;
            addLatency(arrivedAt - parsed.data.sentAt);
          }
        },
        (frame) => {
          if (frame.startsWith('retry:') && !client.ready) {
            client.ready = true;
            if (clients.every((c) => c.ready)) parentPort.postMessage({ type: 'ready' });
          }
        },
        (reason) => {
          if (!finishing && client.error === undefined) client.error = reason;
        },
      );
      clients.push(client);
    }

    readyTimer = setTimeout(() => {
      if (!clients.every((c) => c.ready)) {
        const ready = clients.filter((c) => c.ready).length;
        const errors = clients.map((c) => c.error).filter(Boolean);
        parentPort.postMessage({ type: 'error', error: `${ready}/${subscribers} subscribers ready after ${readyTimeoutMs} ms; ${errors.slice(0, 3).join('; ')}` });
      }
    }, readyTimeoutMs);
  };

  parentPort.on('message', (message) => {
    if (message.type === 'connect') return start();
    if (message.type !== 'finish') return;
    clearTimeout(readyTimer);
    const { count, waitMs, writerDoneAt } = message;
    const finishAt = Date.now() + waitMs;
    const check = () => {
      const done = clients.every((c) => c.lastSeq >= count - 1 || c.error !== undefined);
      if (!done && Date.now() < finishAt) return void setTimeout(check, 20);
      // Linger a little: a duplicate or a stray event after the last one would show up now.
      setTimeout(() => {
        finishing = true;
        for (const client of clients) client.request.destroy();
        const result = latencies.slice(0, latencyCount);
        parentPort.postMessage(
          {
            type: 'result',
            latencies: result,
            // When the last subscriber got the last event, after the writer's last append returned.
            drainMs: clients.every((c) => c.lastSeq >= count - 1) ? Math.max(...clients.map((c) => c.lastArrivedAt)) - writerDoneAt : undefined,
            clients: clients.map(({ request, ...figures }) => figures),
          },
          [result.buffer],
        );
      }, graceMs);
    };
    check();
  });
}

function catchup() {
  const { url, expect, after, stallMs } = workerData;
  let count = 0;
  let expected = after + 1;
  let bad = 0;
  let firstBad;
  let bytes = 0;
  let lastProgress = Date.now();
  let done = false;
  const start = now();
  let firstEventAt;
  const finish = (error) => {
    if (done) return;
    done = true;
    clearInterval(watch);
    request.destroy();
    parentPort.postMessage({ type: 'result', error, count, bad, firstBad, bytes, elapsedMs: now() - start, firstEventMs: firstEventAt === undefined ? undefined : firstEventAt - start });
  };
  const request = connect(
    url,
    (id, event, data, arrivedAt) => {
      if (firstEventAt === undefined) firstEventAt = arrivedAt;
      bytes += data.length;
      const position = Number(id);
      let parsed;
      try {
        parsed = JSON.parse(data);
      } catch {
        parsed = undefined;
      }
      if (position !== expected || !parsed || parsed.position !== position || parsed.type !== event) {
        bad++;
        firstBad ??= `expected position ${expected}, got id ${id} (${event})`;
      }
      expected = position + 1;
      count++;
      lastProgress = Date.now();
      if (count >= expect) finish();
    },
    () => undefined,
    (reason) => finish(reason),
  );
  const watch = setInterval(() => {
    if (Date.now() - lastProgress > stallMs) finish(`no event for ${stallMs} ms after ${count} events`);
  }, 250);
}

if (workerData.mode === 'live') live();
else if (workerData.mode === 'catchup') catchup();
else parentPort.postMessage({ type: 'error', error: `unknown mode ${workerData.mode}` });
