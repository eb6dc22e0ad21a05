/**
 * The container setup, checked without a Docker engine: docker-compose.yml, the Dockerfile,
 * .dockerignore and the cluster compose file in docs/cluster.md are read and held against what the
 * app actually reads (src/platform/app-config.ts), builds (nest-cli.json, tsconfig.build.json) and
 * imports (package.json), so they fail here when the two drift apart. The health-check commands are
 * run for real against a local HTTP server.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { builtinModules } from 'node:module';
import { AddressInfo } from 'node:net';
import { join, posix } from 'node:path';
import * as ts from 'typescript';
import { parse } from 'yaml';
import { EVENT_STORE_KINDS, loadConfig } from '../../src/platform/app-config';

const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

// ---------------------------------------------------------------------------------------------
// Compose files

type Healthcheck = { test?: string | string[]; disable?: boolean };
type Service = {
  image?: string;
  build?: unknown;
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | { target: number; published?: string | number; host_ip?: string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: Healthcheck;
  volumes?: (string | { type?: string; source?: string; target: string })[];
  profiles?: string[];
};
type Compose = { services: Record<string, Service>; volumes?: Record<string, unknown> };

/** Compose's variable substitution with nothing set in the environment: defaults apply. */
function interpolate(value: string, vars: Record<string, string | undefined> = {}): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, braced: string | undefined, operator: string | undefined, argument: string | undefined, bare: string | undefined) => {
      if (match === '$$') return '$';
      const name = braced ?? bare!;
      const set = vars[name];
      const missing = operator?.startsWith(':') ? !set : set === undefined;
      if (!missing || !operator) return set ?? '';
      if (operator.endsWith('?')) throw new Error(`${name} must be set: ${argument}`);
      return argument ?? '';
    },
  );
}

/** A service's environment as the container sees it (list or map form, variables substituted). */
function environmentOf(service: Service): Record<string, string> {
  const raw = service.environment ?? {};
  const entries: [string, string][] = Array.isArray(raw)
    ? raw.map((line) => {
        const at = line.indexOf('=');
        return at < 0 ? [line, ''] : [line.slice(0, at), line.slice(at + 1)];
      })
    : Object.entries(raw).map(([name, value]) => [name, value === null ? '' : String(value)]);
  return Object.fromEntries(entries.map(([name, value]) => [name, interpolate(value)]));
}

function dependenciesOf(service: Service): Record<string, string | undefined> {
  const raw = service.depends_on ?? {};
  return Array.isArray(raw) ? Object.fromEntries(raw.map((name) => [name, undefined])) : Object.fromEntries(Object.entries(raw).map(([name, d]) => [name, d?.condition]));
}

/** Published ports as {hostIp, published, target}, from the short or the long syntax. */
function portsOf(service: Service): { hostIp?: string; published?: string; target: number }[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'object') return { hostIp: port.host_ip, published: port.published?.toString(), target: port.target };
    const parts = interpolate(String(port)).replace(/\/(tcp|udp)$/, '').split(':');
    const target = Number(parts.pop());
    const published = parts.pop();
    return { hostIp: parts.pop(), published, target };
  });
}

/** The named volumes a service mounts (bind mounts and anonymous volumes left out). */
function namedVolumesOf(service: Service): { source: string; target: string }[] {
  return (service.volumes ?? []).flatMap((volume) => {
    if (typeof volume === 'object') return volume.type === 'volume' && volume.source ? [{ source: volume.source, target: volume.target }] : [];
    const [source, target] = volume.split(':');
    return target && /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(source) ? [{ source, target }] : [];
  });
}

/** The services built from this repository: the app. */
const appServicesOf = (compose: Compose) => Object.entries(compose.services).filter(([, service]) => service.build !== undefined);

/** The KurrentDB nodes. */
const kurrentdbServicesOf = (compose: Compose) => Object.entries(compose.services).filter(([, service]) => service.image?.includes('/kurrentdb'));

/** `docker compose -f a -f b`: maps merge key by key, anything else is replaced; `x-` keys are fragments. */
function overlay<T>(base: T, override: unknown): T {
  if (typeof base !== 'object' || base === null || Array.isArray(base) || typeof override !== 'object' || override === null || Array.isArray(override)) {
    return override as T;
  }
  const merged: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(override)) {
    if (key.startsWith('x-')) continue;
    merged[key] = key in merged ? overlay(merged[key], value) : value;
  }
  return merged as T;
}

/** Every host named in a KurrentDB connection string (`scheme://[user:pass@]host[:port],...?params`). */
function kurrentdbHosts(connectionString: string): { host: string; port: number }[] {
  const authority = connectionString.replace(/^[a-z+]+:\/\//, '').split(/[?/]/)[0];
  const hosts = authority.includes('@') ? authority.slice(authority.lastIndexOf('@') + 1) : authority;
  return hosts.split(',').map((entry) => {
    const [host, port] = entry.split(':');
    return { host, port: port ? Number(port) : 2113 };
  });
}

const kurrentdbParams = (connectionString: string) => new URLSearchParams(connectionString.split('?')[1] ?? '');

/** A health-check `test` run by node: the script after `node -e`. */
function nodeScriptOf(test: string | string[] | undefined): string {
  if (!Array.isArray(test) || test[0] !== 'CMD' || test[1] !== 'node' || test[2] !== '-e') {
    throw new Error(`expected ["CMD", "node", "-e", script], got ${JSON.stringify(test)}`);
  }
  return test[3];
}

// ---------------------------------------------------------------------------------------------
// Dockerfile

type Instruction = { keyword: string; args: string };
type Stage = { image: string; name?: string; instructions: Instruction[] };

/** Stages and their instructions; continuation lines joined, comments dropped. */
function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    if (/\\\s*$/.test(line)) {
      pending += line.replace(/\\\s*$/, ' ');
      continue;
    }
    const joined = (pending + line).trim();
    pending = '';
    if (joined) logical.push(joined);
  }
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword, args] = /^(\S+)\s*(.*)$/.exec(line)!;
    const instruction = { keyword: keyword.toUpperCase(), args: args.replace(/\s+/g, ' ').trim() };
    if (instruction.keyword === 'FROM') {
      const [, image, name] = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args)!;
      stages.push({ image, name, instructions: [] });
    } else {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return stages;
}

const argsOf = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);

/** The JSON (exec) form `["a", "b"]`, required for CMD and HEALTHCHECK so no shell is involved. */
function execForm(args: string): string[] {
  expect(args.startsWith('[')).toBe(true);
  return JSON.parse(args) as string[];
}

function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const args of argsOf(stage, 'ENV')) {
    if (!/^\S+=/.test(args)) {
      const [name, ...value] = args.split(' ');
      env[name] = value.join(' ');
      continue;
    }
    for (const pair of args.split(' ')) {
      const at = pair.indexOf('=');
      env[pair.slice(0, at)] = pair.slice(at + 1).replace(/^"(.*)"$/, '$1');
    }
  }
  return env;
}

function copiesOf(stage: Stage): { from?: string; sources: string[]; destination: string }[] {
  return argsOf(stage, 'COPY').map((args) => {
    const words = args.split(' ');
    const flags = words.filter((word) => word.startsWith('--'));
    const paths = words.filter((word) => !word.startsWith('--'));
    const from = flags.find((flag) => flag.startsWith('--from='))?.slice('--from='.length);
    return { from, sources: paths.slice(0, -1).map((path) => path.replace(/^\.\//, '').replace(/\/$/, '')), destination: paths[paths.length - 1] };
  });
}

// ---------------------------------------------------------------------------------------------
// What the app reads, builds and imports

/** Every environment variable src/platform/app-config.ts reads, found in its text. */
function settingsTheAppReads(): Set<string> {
  const source = read('src/platform/app-config.ts');
  const names = new Set<string>();
  const patterns = [
    /\benv\.([A-Z][A-Z0-9_]*)\b/g, // env.NAME
    /\benv\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\]/g, // env['NAME']
    /\b\w+\(\s*env\s*,\s*['"]([A-Z][A-Z0-9_]*)['"]/g, // integer(env, 'NAME' ...), oneOf(...), url(...)
  ];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) names.add(match[1]);
  return names;
}

function readTsConfig(file: string): { compilerOptions?: { outDir?: string }; include?: string[]; exclude?: string[]; extends?: string } {
  const { config, error } = ts.readConfigFile(join(ROOT, file), ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  return config;
}

/** What `npm run build` (nest build) writes for the entry file: `<outDir>/<entryFile>.js`. */
function builtEntryFile(): string {
  const nest = JSON.parse(read('nest-cli.json')) as { entryFile?: string; compilerOptions?: { tsConfigPath?: string } };
  const buildConfigFile = nest.compilerOptions?.tsConfigPath ?? 'tsconfig.build.json';
  const buildConfig = readTsConfig(buildConfigFile);
  const outDir = buildConfig.compilerOptions?.outDir ?? (buildConfig.extends ? readTsConfig(buildConfig.extends).compilerOptions?.outDir : undefined) ?? 'dist';
  return posix.join(posix.normalize(outDir), `${nest.entryFile ?? 'main'}.js`);
}

/** The top directories (or files) `tsconfig.build.json` compiles. */
function compiledRoots(): string[] {
  const include = readTsConfig(buildConfigFile()).include ?? [];
  return [...new Set(include.map((pattern) => pattern.split('/')[0]))];
}

function buildConfigFile(): string {
  const nest = JSON.parse(read('nest-cli.json')) as { compilerOptions?: { tsConfigPath?: string } };
  return nest.compilerOptions?.tsConfigPath ?? 'tsconfig.build.json';
}

/** What the server's compile leaves out of its roots (the page's sources, which esbuild bundles instead). */
function notCompiled(path: string): boolean {
  return (readTsConfig(buildConfigFile()).exclude ?? []).some((pattern) => path === pattern || path.startsWith(`${pattern}/`));
}

/** Files `npm run build` runs besides the compiler (`ts-node … scripts/build-web.ts`). */
function buildScriptFiles(): string[] {
  const { scripts = {} } = JSON.parse(read('package.json')) as { scripts?: Record<string, string> };
  return scripts.build?.match(/\bscripts\/[\w./-]+\.ts\b/g) ?? [];
}

function typescriptFiles(directory: string): string[] {
  return readdirSync(join(ROOT, directory)).flatMap((entry) => {
    const path = posix.join(directory, entry);
    if (statSync(join(ROOT, path)).isDirectory()) return notCompiled(path) ? [] : typescriptFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') && !path.endsWith('.d.ts') && !notCompiled(path) ? [path] : [];
  });
}

/** The packages compiled code loads at run time (type-only imports are erased). */
function packagesImportedBy(file: string): string[] {
  const source = read(file);
  const specifiers = [
    ...[...source.matchAll(/(?:^|[\n;])\s*(?:import|export)\s+(?!type\s)[^'";]*?\bfrom\s+['"]([^'"]+)['"]/g)].map((m) => m[1]),
    ...[...source.matchAll(/(?:^|[\n;])\s*import\s+['"]([^'"]+)['"]/g)].map((m) => m[1]),
    ...[...source.matchAll(/\b(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]),
  ];
  return specifiers
    .filter((specifier) => !specifier.startsWith('.') && !specifier.startsWith('node:') && !builtinModules.includes(specifier.split('/')[0]))
    .map((specifier) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]));
}

// ---------------------------------------------------------------------------------------------
// KurrentDB

/**
 * KurrentDB options this setup may set, as environment variables. The server refuses to start on an
 * unknown option, so a misspelt one is a node that never comes up. Each is checked against
 * KurrentDB's configuration docs (`KURRENTDB_` + the option in upper snake case; the `--what-if`
 * option list), its clustering and networking pages, and its own Dockerfile and docker-compose.yml.
 */
const KURRENTDB_OPTIONS = new Set([
  'KURRENTDB_CLUSTER_SIZE',
  'KURRENTDB_INSECURE',
  'KURRENTDB_RUN_PROJECTIONS',
  'KURRENTDB_START_STANDARD_PROJECTIONS',
  'KURRENTDB_ENABLE_ATOM_PUB_OVER_HTTP',
  'KURRENTDB_TELEMETRY_OPTOUT',
  'KURRENTDB_GOSSIP_SEED',
  'KURRENTDB_DISCOVER_VIA_DNS',
  'KURRENTDB_NODE_HOST_ADVERTISE_AS',
  'KURRENTDB_REPLICATION_HOST_ADVERTISE_AS',
  'KURRENTDB_CERTIFICATE_FILE',
  'KURRENTDB_CERTIFICATE_PRIVATE_KEY_FILE',
  'KURRENTDB_TRUSTED_ROOT_CERTIFICATES_PATH',
]);

// ---------------------------------------------------------------------------------------------
// Running a health check

type HealthServer = { port: number; status: number; close: () => Promise<void> };

async function healthServer(): Promise<HealthServer> {
  const state = { status: 200 };
  const server: Server = createServer((request, response) => {
    response.statusCode = request.url === '/health' ? state.status : 404;
    response.setHeader('content-type', 'application/json');
    response.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get status() {
      return state.status;
    },
    set status(value: number) {
      state.status = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Runs `node -e script` as the container would, with PORT set; resolves to its exit code. */
function exitCodeOf(script: string, port: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { env: { ...process.env, PORT: String(port) }, stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code));
  });
}

async function expectHealthCheckToFollowHealthEndpoint(script: string): Promise<void> {
  const server = await healthServer();
  try {
    server.status = 200;
    expect(await exitCodeOf(script, server.port)).toBe(0);
    server.status = 503;
    expect(await exitCodeOf(script, server.port)).toBe(1);
  } finally {
    await server.close();
  }
  expect(await exitCodeOf(script, await closedPort())).toBe(1);
}

// ---------------------------------------------------------------------------------------------

const compose = parse(read('docker-compose.yml')) as Compose;
const stages = parseDockerfile(read('Dockerfile'));
const buildStage = stages[0];
const runtimeStage = stages[stages.length - 1];
const imageEnv = envOf(runtimeStage);
const exposedPorts = argsOf(runtimeStage, 'EXPOSE').flatMap((args) => args.split(' ')).map((port) => Number(port.replace(/\/tcp$/, '')));

describe('docker-compose.yml', () => {
  const services = compose.services;

  it('starts KurrentDB, PostgreSQL and the app as services', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['kurrentdb', 'postgres', 'app']));
    expect(services.app.build).toBeDefined();
    expect(services.kurrentdb.image).toMatch(/^docker\.kurrent\.io\/kurrent-(latest|lts)\/kurrentdb(:|$)/);
    expect(services.postgres.image).toMatch(/^postgres:16(\.|$|-)/);
  });

  it('gives every service a health check', () => {
    for (const [name, service] of Object.entries(services)) {
      expect({ name, disabled: service.healthcheck?.disable ?? false }).toEqual({ name, disabled: false });
      expect({ name, test: (service.healthcheck?.test ?? []).length > 0 }).toEqual({ name, test: true });
    }
  });

  it('starts the app only once KurrentDB and PostgreSQL report healthy', () => {
    expect(dependenciesOf(services.app)).toEqual({ kurrentdb: 'service_healthy', postgres: 'service_healthy' });
  });

  it("publishes the app's port, which is the port the image exposes and the app listens on", () => {
    for (const [name, service] of appServicesOf(compose)) {
      const ports = portsOf(service);
      expect({ name, published: ports.length }).toEqual({ name, published: 1 });
      expect(ports[0].published).toMatch(/^\d+$/);
      expect(exposedPorts).toContain(ports[0].target);
      expect(Number({ ...imageEnv, ...environmentOf(service) }.PORT)).toBe(ports[0].target);
    }
  });

  it('publishes ports on the loopback interface only, since the default API key is no secret', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const port of portsOf(service)) expect({ name, hostIp: port.hostIp }).toEqual({ name, hostIp: '127.0.0.1' });
    }
  });

  it('sets only environment variables the app reads', () => {
    const reads = settingsTheAppReads();
    expect(reads).toEqual(new Set([...reads].filter((name) => /^[A-Z][A-Z0-9_]*$/.test(name))));
    expect([...reads]).toEqual(expect.arrayContaining(['TIMELINE_EVENT_STORE', 'DATABASE_URL', 'KURRENTDB_URL', 'HOST', 'PORT']));
    for (const [name, service] of appServicesOf(compose)) {
      const unread = Object.keys(environmentOf(service)).filter((setting) => !reads.has(setting));
      expect({ service: name, unread }).toEqual({ service: name, unread: [] });
    }
  });

  it("configures each app container with values the app's configuration accepts", () => {
    const stores: Record<string, string> = {};
    for (const [name, service] of appServicesOf(compose)) {
      const config = loadConfig({ ...imageEnv, ...environmentOf(service) }, '/app');
      expect(EVENT_STORE_KINDS).toContain(environmentOf(service).TIMELINE_EVENT_STORE);
      expect(config.host).toBe('0.0.0.0');
      expect(config.apiKeys.size).toBeGreaterThan(0);
      stores[name] = config.eventStore;
    }
    expect(stores.app).toBe('kurrentdb');
    if (services['app-embedded']) expect(stores['app-embedded']).toBe('sqlite');
  });

  it('points DATABASE_URL at the postgres service, with the user, password and database it creates', () => {
    const databaseUrl = new URL(environmentOf(services.app).DATABASE_URL);
    const postgres = environmentOf(services.postgres);
    expect(databaseUrl.protocol).toMatch(/^postgres(ql)?:$/);
    expect(databaseUrl.hostname).toBe('postgres');
    expect(databaseUrl.port || '5432').toBe('5432');
    expect(decodeURIComponent(databaseUrl.username)).toBe(postgres.POSTGRES_USER);
    expect(decodeURIComponent(databaseUrl.password)).toBe(postgres.POSTGRES_PASSWORD);
    expect(databaseUrl.pathname).toBe(`/${postgres.POSTGRES_DB}`);
  });

  it('points KURRENTDB_URL at the kurrentdb service, without TLS because the node runs insecure', () => {
    const url = environmentOf(services.app).KURRENTDB_URL;
    expect(kurrentdbHosts(url)).toEqual([{ host: 'kurrentdb', port: 2113 }]);
    expect(kurrentdbParams(url).get('tls')).toBe('false');
    expect(environmentOf(services.kurrentdb).KURRENTDB_INSECURE).toBe('true');
  });

  it('sets only KurrentDB options the server documents, since it refuses to start on an unknown one', () => {
    for (const [name, service] of kurrentdbServicesOf(compose)) {
      const unknown = Object.keys(environmentOf(service)).filter((option) => !KURRENTDB_OPTIONS.has(option));
      expect({ service: name, unknown }).toEqual({ service: name, unknown: [] });
    }
    expect(environmentOf(services.kurrentdb).KURRENTDB_CLUSTER_SIZE).toBe('1');
  });

  it('probes KurrentDB on /health/live with the curl its image ships, and PostgreSQL with pg_isready', () => {
    expect(JSON.stringify(services.kurrentdb.healthcheck?.test)).toMatch(/curl --fail[^"]* http:\/\/localhost:2113\/health\/live/);
    const postgres = environmentOf(services.postgres);
    expect(JSON.stringify(services.postgres.healthcheck?.test)).toContain(`pg_isready -U ${postgres.POSTGRES_USER} -d ${postgres.POSTGRES_DB}`);
  });

  it('keeps KurrentDB, PostgreSQL and embedded data in declared named volumes', () => {
    const declared = Object.keys(compose.volumes ?? {});
    for (const [, service] of Object.entries(services)) {
      for (const { source } of namedVolumesOf(service)) expect(declared).toContain(source);
    }
    expect(namedVolumesOf(services.kurrentdb).map((v) => v.target)).toContain('/var/lib/kurrentdb');
    expect(namedVolumesOf(services.postgres).map((v) => v.target)).toContain('/var/lib/postgresql/data');
    if (services['app-embedded']) {
      const dataDir = { ...imageEnv, ...environmentOf(services['app-embedded']) }.TIMELINE_DATA_DIR;
      expect(namedVolumesOf(services['app-embedded']).map((v) => v.target)).toContain(dataDir);
    }
  });

  it('reports an app container healthy while GET /health answers 200, and unhealthy on 503 or no answer', async () => {
    for (const [, service] of appServicesOf(compose)) await expectHealthCheckToFollowHealthEndpoint(nodeScriptOf(service.healthcheck?.test));
  });
});

describe('Dockerfile', () => {
  it('builds in one node:20-bookworm-slim stage and runs in another', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of [buildStage, runtimeStage]) expect(stage.image).toBe('node:20-bookworm-slim');
    const engines = (JSON.parse(read('package.json')) as { engines?: { node?: string } }).engines?.node ?? '';
    expect(engines).toMatch(/^>=\s*20(\.|$)/);
  });

  it('installs the compilers better-sqlite3 needs, then installs, builds and prunes the dev dependencies', () => {
    const runs = argsOf(buildStage, 'RUN').join(' && ');
    expect(runs).toMatch(/apt-get install [^&]*\bpython3\b/);
    expect(runs).toMatch(/apt-get install [^&]*\bmake\b/);
    expect(runs).toMatch(/apt-get install [^&]*\bg\+\+/);
    const order = ['npm ci', 'npm run build', 'npm prune --omit=dev'].map((command) => runs.indexOf(command));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('copies into the build stage the lockfile and every source, config and script the build uses', () => {
    const copied = copiesOf(buildStage).flatMap((copy) => copy.sources);
    expect(buildScriptFiles()).toContain('scripts/build-web.ts');
    const needed = ['package.json', 'package-lock.json', 'nest-cli.json', 'tsconfig.json', 'tsconfig.build.json', ...compiledRoots(), ...buildScriptFiles()];
    expect(copied).toEqual(expect.arrayContaining(needed));
    for (const path of copied) expect({ path, exists: existsSync(join(ROOT, path)) }).toEqual({ path, exists: true });
  });

  it('runs, as its final command, the entry file that npm run build produces', () => {
    const [cmd] = argsOf(runtimeStage, 'CMD').slice(-1);
    expect(execForm(cmd)).toEqual(['node', builtEntryFile()]);
    expect(builtEntryFile()).toBe('dist/src/main.js');
    expect((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.start).toBe(`node ${builtEntryFile()}`);
  });

  it('copies only package.json, the pruned node_modules, the build and verify\'s addon into the runtime stage', () => {
    const copies = copiesOf(runtimeStage);
    expect(copies.every((copy) => copy.from === buildStage.name)).toBe(true);
    expect(copies.flatMap((copy) => copy.sources).sort()).toEqual(['/app/build/Release/range_hashes.node', '/app/dist', '/app/node_modules', '/app/package.json']);
  });

  it('has what `npm ci` builds verify\'s addon from before it runs', () => {
    const steps = buildStage.instructions.map((instruction) => `${instruction.keyword} ${instruction.args}`);
    const install = steps.findIndex((step) => step.startsWith('RUN npm ci'));
    const copied = steps.slice(0, install).filter((step) => step.startsWith('COPY ')).join(' ');
    const gyp = read('binding.gyp');
    for (const source of ['binding.gyp', ...[...gyp.matchAll(/"([^"]+\.c)"/g)].map((match) => posix.dirname(match[1]))]) expect(copied).toContain(source);
  });

  it('runs as a user other than root', () => {
    const [user] = argsOf(runtimeStage, 'USER').slice(-1);
    expect(user).toBeDefined();
    expect(user.split(':')[0]).not.toMatch(/^(root|0)$/);
  });

  it('listens on every interface on the exposed port, keeps its data directory on a volume, and sets only settings the app reads', () => {
    expect(imageEnv.HOST).toBe('0.0.0.0');
    expect(exposedPorts).toEqual([Number(imageEnv.PORT)]);
    const volumes = argsOf(runtimeStage, 'VOLUME').flatMap((args) => (args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(' ')));
    expect(volumes).toContain(imageEnv.TIMELINE_DATA_DIR);
    const reads = settingsTheAppReads();
    expect(Object.keys(imageEnv).filter((name) => !reads.has(name))).toEqual([]);
    // Every interface, so the image starts only once it is given keys (docker-compose.yml gives a development one).
    expect(() => loadConfig(imageEnv, '/app')).toThrow(/^HOST: 0\.0\.0\.0 is not a loopback address/);
    expect(() => loadConfig({ ...imageEnv, TIMELINE_API_KEYS: 'an-admin-key-0123456789:admin' }, '/app')).not.toThrow();
  });

  it('reports the container healthy while GET /health answers 200, and unhealthy on 503 or no answer', async () => {
    const [healthcheck] = argsOf(runtimeStage, 'HEALTHCHECK');
    expect(healthcheck).toBeDefined();
    const command = execForm(healthcheck.slice(healthcheck.indexOf('CMD ') + 'CMD '.length));
    expect(command.slice(0, 2)).toEqual(['node', '-e']);
    await expectHealthCheckToFollowHealthEndpoint(command[2]);
  });

  it("leaves the host's node_modules, build and data out of the build context, and keeps everything the build copies", () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', 'data']));
    for (const path of copiesOf(buildStage).flatMap((copy) => copy.sources)) {
      const hiding = ignored.filter((pattern) => !pattern.startsWith('!') && (path === pattern || path.startsWith(`${pattern}/`)));
      expect({ path, hiding }).toEqual({ path, hiding: [] });
    }
  });

  it('ships every package the server loads at run time, since the image keeps production dependencies only', () => {
    const { dependencies = {} } = JSON.parse(read('package.json')) as { dependencies?: Record<string, string> };
    for (const file of compiledRoots().flatMap((root) => typescriptFiles(root))) {
      const missing = packagesImportedBy(file).filter((name) => !(name in dependencies));
      expect({ file, missing }).toEqual({ file, missing: [] });
    }
  });
});

describe('docs/cluster.md', () => {
  const doc = read('docs/cluster.md');
  const block = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
  const cluster = overlay(compose, parse(block, { merge: true }) as Compose);
  const nodes = kurrentdbServicesOf(cluster);
  const nodeNames = nodes.map(([name]) => name).sort();

  it('layers a cluster of three KurrentDB nodes over docker-compose.yml', () => {
    expect(block).not.toBe('');
    expect(nodeNames).toHaveLength(3);
    expect(nodeNames).toContain('kurrentdb');
    for (const [name, service] of nodes) {
      expect({ name, size: environmentOf(service).KURRENTDB_CLUSTER_SIZE }).toEqual({ name, size: '3' });
      expect({ name, healthcheck: JSON.stringify(service.healthcheck?.test) }).toEqual({ name, healthcheck: expect.stringContaining('/health/live') });
    }
  });

  it('has each node gossip with the other two, by service name', () => {
    for (const [name, service] of nodes) {
      const seeds = environmentOf(service).KURRENTDB_GOSSIP_SEED.split(',').sort();
      expect({ name, seeds }).toEqual({ name, seeds: nodeNames.filter((other) => other !== name).map((other) => `${other}:2113`).sort() });
      expect(environmentOf(service).KURRENTDB_NODE_HOST_ADVERTISE_AS).toBe(name);
    }
  });

  it('gives each node a data volume of its own', () => {
    const sources = nodes.map(([, service]) => namedVolumesOf(service).find((v) => v.target === '/var/lib/kurrentdb')?.source);
    expect(new Set(sources).size).toBe(3);
    for (const source of sources) expect(Object.keys(cluster.volumes ?? {})).toContain(source);
  });

  it('sets only KurrentDB options the server documents', () => {
    for (const [name, service] of nodes) {
      const unknown = Object.keys(environmentOf(service)).filter((option) => !KURRENTDB_OPTIONS.has(option));
      expect({ service: name, unknown }).toEqual({ service: name, unknown: [] });
    }
    for (const option of doc.match(/\bKURRENTDB_[A-Z_]+\b/g) ?? []) {
      if (option !== 'KURRENTDB_URL') expect({ option, documented: KURRENTDB_OPTIONS.has(option) }).toEqual({ option, documented: true });
    }
  });

  it('points every app instance at all three nodes as gossip seeds, with settings the app reads and accepts', () => {
    const apps = appServicesOf(cluster).filter(([, service]) => !service.profiles?.length);
    expect(apps.length).toBeGreaterThanOrEqual(2);
    const reads = settingsTheAppReads();
    for (const [name, service] of apps) {
      const env = environmentOf(service);
      expect(Object.keys(env).filter((setting) => !reads.has(setting))).toEqual([]);
      const config = loadConfig({ ...imageEnv, ...env }, '/app');
      expect(config.eventStore).toBe('kurrentdb');
      expect(config.kurrentdbUrl).toMatch(/^kurrentdb:\/\//);
      expect({ name, nodes: kurrentdbHosts(env.KURRENTDB_URL).map((h) => h.host).sort() }).toEqual({ name, nodes: nodeNames });
      expect(kurrentdbHosts(env.KURRENTDB_URL).every((h) => h.port === 2113)).toBe(true);
      expect(kurrentdbParams(env.KURRENTDB_URL).get('tls')).toBe('false');
      expect(new URL(env.DATABASE_URL).hostname).toBe('postgres');
      expect(Object.keys(dependenciesOf(service)).sort()).toEqual([...nodeNames, 'postgres'].sort());
      expect(Object.values(dependenciesOf(service)).every((condition) => condition === 'service_healthy')).toBe(true);
    }
  });

  it('puts a load balancer in front of every app instance', () => {
    const apps = appServicesOf(cluster)
      .filter(([, service]) => !service.profiles?.length)
      .map(([name]) => name);
    const command = cluster.services.lb?.command;
    const text = Array.isArray(command) ? command.join(' ') : (command ?? '');
    const upstreams = [...text.matchAll(/--to\s+(\S+)/g)].map((m) => m[1]).sort();
    expect(upstreams).toEqual(apps.map((name) => `${name}:3000`).sort());
    expect(portsOf(cluster.services.lb)).toHaveLength(1);
    expect(Object.keys(dependenciesOf(cluster.services.lb)).sort()).toEqual([...apps].sort());
  });

  it('explains read-your-writes across instances with minPosition', () => {
    expect(doc).toMatch(/minPosition=<position>/);
    expect(doc).toContain('TIMELINE_PROJECTION_WAIT_MS');
  });
});
