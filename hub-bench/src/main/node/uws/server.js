'use strict';
/*
 * The sweep's uWebSockets.js baseline (`hub-bench server --transport uws`, `sweep --servers uws`):
 * the relay written the way uWebSockets.js is meant to be used. Every WebSocket at path / subscribes
 * to one topic as it opens, and every message that arrives is published to that topic with
 * app.publish(topic, message, isBinary) (policy all: the sender too, as naive-netty relays to every
 * channel; policy others: ws.publish, which skips the sender). Compression off, maxBackpressure
 * 1 MiB, no idle timeout (naive-netty has none).
 *
 * Speaks the bench servers' protocol to the sweep: prints `READY transport=uws port=P policy=...`
 * once it listens, then answers `stats`, `gc` (stats after two full collections; run node with
 * --expose-gc) and `quit` on standard input with `STATS {json}`, the fields of ServerStats (-1
 * where a figure is the JVM's only). CPU time, RSS and threads come from /proc/self, as the JVM
 * servers read theirs.
 *
 * Usage: node --expose-gc server.js [--port P (0: any free one)] [--host H] [--policy all|others]
 *
 * The native addon is loaded directly, never through the package's uws.js, which falls back to a
 * JavaScript imitation (over the ws package) when the addon does not load: this server is the addon
 * for this platform, architecture and Node ABI, or it fails.
 */
const fs = require('fs');
const path = require('path');
const readline = require('readline');

const PACKAGE = '@trufflesuite/uws-js-unofficial';
const TOPIC = 'bench';

function fail(message) {
  process.stderr.write('uws: ' + message + '\n');
  process.exit(2);
}

function loadNative() {
  let root;
  try {
    root = path.dirname(require.resolve(PACKAGE + '/package.json'));
  } catch (e) {
    fail(PACKAGE + ' is not installed next to ' + __filename + ' (run npm ci there): ' + e.message);
  }
  const version = require(path.join(root, 'package.json')).version;
  const name =
    'uws_' + process.platform + '_' + process.arch + '_' + process.versions.modules + '.node';
  const file = path.join(root, 'binaries', name);
  if (!fs.existsSync(file)) {
    let present = [];
    try {
      present = fs.readdirSync(path.join(root, 'binaries'));
    } catch (e) {
      // no binaries at all
    }
    fail(
      'no native binary ' + name + ' in ' + PACKAGE + '@' + version + ' for Node ' +
        process.version + ' (ABI ' + process.versions.modules + '); it has: ' +
        (present.join(', ') || 'none'));
  }
  try {
    return {uws: require(file), file, version};
  } catch (e) {
    fail('cannot load ' + file + ': ' + e.message);
  }
}

function options(argv) {
  const o = {port: 8080, host: '127.0.0.1', policy: 'all'};
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    switch (argv[i]) {
      case '--port':
        o.port = Number(value);
        if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) {
          fail('--port: "' + value + '" (expected: 0-65535)');
        }
        i++;
        break;
      case '--host':
        o.host = value;
        i++;
        break;
      case '--policy':
        if (value !== 'all' && value !== 'others') {
          fail('--policy: "' + value + '" (expected: all or others)');
        }
        o.policy = value;
        i++;
        break;
      default:
        fail('unknown argument "' + argv[i] + '" (expected: --port, --host, --policy)');
    }
  }
  return o;
}

/** A /proc/self/status size in bytes (or a count, with unit 1), or -1. */
function procStatus(field, unit) {
  try {
    for (const line of fs.readFileSync('/proc/self/status', 'utf8').split('\n')) {
      if (line.startsWith(field)) {
        return Number(line.substring(field.length).trim().split(/\s+/)[0]) * unit;
      }
    }
  } catch (e) {
    // not Linux
  }
  return -1;
}

/** This process's CPU time, user and system, from /proc/self/stat (USER_HZ 100), or -1. */
function cpuNanos() {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const f = stat.substring(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10000000;
  } catch (e) {
    return -1;
  }
}

const {uws, file, version} = loadNative();
const o = options(process.argv.slice(2));
let connections = 0;
const app = uws.App();
app.ws('/', {
  compression: uws.DISABLED,
  maxPayloadLength: 64 * 1024,
  maxBackpressure: 1024 * 1024,
  idleTimeout: 0,
  open: (ws) => {
    ws.subscribe(TOPIC);
    connections++;
  },
  message:
    o.policy === 'all'
      ? (ws, message, isBinary) => {
          app.publish(TOPIC, message, isBinary);
        }
      : (ws, message, isBinary) => {
          ws.publish(TOPIC, message, isBinary);
        },
  close: () => {
    connections--;
  },
});

function stats(gc) {
  if (gc) {
    if (typeof global.gc !== 'function') {
      process.stderr.write('uws: gc without --expose-gc: stats without a collection\n');
    } else {
      global.gc();
      global.gc();
    }
  }
  const m = process.memoryUsage();
  return {
    transport: 'uws',
    connections,
    heap_used: m.heapUsed,
    heap_committed: m.heapTotal,
    direct_jdk: -1,
    direct_netty_counter: -1,
    direct_netty_allocator: -1,
    direct_total: -1,
    cpu_ns: cpuNanos(),
    allocated_bytes: -1,
    rss: procStatus('VmRSS:', 1024),
    rss_peak: procStatus('VmHWM:', 1024),
    threads: procStatus('Threads:', 1),
  };
}

app.listen(o.host, o.port, (listenSocket) => {
  if (!listenSocket) {
    fail('cannot listen on ' + o.host + ':' + o.port);
  }
  const port = uws.us_socket_local_port(listenSocket);
  process.stderr.write(
    'uws: ' + PACKAGE + '@' + version + ', ' + path.basename(file) + ', Node ' + process.version +
      ', pid ' + process.pid + '\n');
  JSON.stringify(stats(false)); // as the JVM servers do, once before anyone connects
  process.stdout.write('READY transport=uws port=' + port + ' policy=' + o.policy + '\n');
  const input = readline.createInterface({input: process.stdin, terminal: false});
  input.on('line', (line) => {
    switch (line.trim()) {
      case 'stats':
        process.stdout.write('STATS ' + JSON.stringify(stats(false)) + '\n');
        break;
      case 'gc':
        process.stdout.write('STATS ' + JSON.stringify(stats(true)) + '\n');
        break;
      case 'quit':
        process.exit(0);
        break;
      case '':
        break;
      default:
        process.stdout.write('ERROR unknown input (expected: stats, gc or quit)\n');
    }
  });
  // Standard input closed: serve until killed, as the JVM servers do.
});
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
