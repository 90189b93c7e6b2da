/**
 * The effective Go configuration for a run: the process environment, the
 * user's `go env -w` file and `$GOROOT/go.env`, resolved and parsed the way
 * the go command does it (see src/gomod/goenv.ts for the rules).
 */
import { join } from 'node:path';
import {
  DEFAULT_GOROOT_ENV,
  GO_SETTINGS,
  type GoSetting,
  parseGoFlags,
  parseGoProxy,
  parseGoSumDB,
  resolveGoEnv,
  type GoEnv,
  type GoSumDB,
  type ProcessEnv,
  type ProxySpec,
} from '../gomod/goenv.js';
import { envFilePath, readEnvFile } from './envFile.js';

/** Everything gobundle needs to know about the user's Go configuration. */
export interface GoConfig {
  /** Effective values of the variables, as `go env` prints them. */
  env: GoEnv;
  /** GOPROXY parsed (with the `noproxy` entry when GONOPROXY is set). */
  proxies: ProxySpec[];
  /** GOSUMDB parsed. */
  sumdb: GoSumDB;
  /** GOFLAGS split into flags. */
  goflags: string[];
  /** The env file that was consulted, if any. */
  envFile: string | undefined;
  /** The GOROOT whose go.env was read, if any. */
  goRoot: string | undefined;
  /** Where GOPROXY's value came from, in words for error hints ("GOPROXY (from the environment)", …). */
  proxySource: string;
  /** Where each setting's value came from (gobundle doctor shows them). */
  origins: Record<GoSetting, SettingOrigin>;
}

/**
 * Where the go command took a value from (cmd/go/internal/cfg Getenv):
 * a non-empty process variable, the `go env -w` file, $GOROOT/go.env, or
 * nothing (the built-in default, or for GONOPROXY/GONOSUMDB, GOPRIVATE's).
 */
export type SettingOrigin =
  { kind: 'environment' } | { kind: 'env-file'; file: string } | { kind: 'goroot'; file: string } | { kind: 'default' };

/** The origin in words: "the environment", "the go env file /x", "/goroot/go.env", "its default". */
export function describeOrigin(o: SettingOrigin): string {
  switch (o.kind) {
    case 'environment':
      return 'the environment';
    case 'env-file':
      return `the go env file ${o.file}`;
    case 'goroot':
      return o.file;
    case 'default':
      return 'its default';
  }
}

export interface LoadGoConfigOptions {
  /** Defaults to process.platform; decides the config directory and path syntax. */
  platform?: string;
  /**
   * The GOROOT whose go.env supplies defaults. Defaults to $GOROOT (process
   * or env file); without one the built-in defaults (Go 1.21+'s go.env) apply.
   */
  goRoot?: string;
}

/** Load and parse the Go configuration. Throws a GobundleError (code EGOENV) for malformed values. */
export async function loadGoConfig(env: ProcessEnv = process.env, options: LoadGoConfigOptions = {}): Promise<GoConfig> {
  const platform = options.platform ?? process.platform;
  const envFile = envFilePath(env, platform);
  const fileVars = await readEnvFile(envFile);

  const goRootVar = env.GOROOT !== undefined && env.GOROOT !== '' ? env.GOROOT : fileVars.get('GOROOT');
  const goRoot = options.goRoot ?? (goRootVar === '' ? undefined : goRootVar);
  const goRootEnv = goRoot === undefined ? DEFAULT_GOROOT_ENV : await readEnvFile(join(goRoot, 'go.env'));

  const resolved = resolveGoEnv(env, fileVars, goRootEnv, platform);
  const origins = Object.fromEntries(
    GO_SETTINGS.map((key) => [key, settingOrigin(key, env, fileVars, envFile, goRootEnv, goRoot)]),
  ) as Record<GoSetting, SettingOrigin>;
  const proxyOrigin = origins.GOPROXY;
  return {
    env: resolved,
    proxies: parseGoProxy(resolved.GOPROXY, resolved.GONOPROXY),
    sumdb: parseGoSumDB(resolved.GOSUMDB),
    goflags: parseGoFlags(resolved.GOFLAGS),
    envFile,
    goRoot,
    proxySource: `GOPROXY (${proxyOrigin.kind === 'default' ? 'its default' : `from ${describeOrigin(proxyOrigin)}`})`,
    origins,
  };
}

/** Where the go command took `key` from (cmd/go/internal/cfg EnvOrAndChanged, envOr). */
function settingOrigin(
  key: string,
  env: ProcessEnv,
  fileVars: ReadonlyMap<string, string>,
  envFile: string | undefined,
  goRootEnv: ReadonlyMap<string, string>,
  goRoot: string | undefined,
): SettingOrigin {
  const fromProcess = env[key];
  if (fromProcess !== undefined && fromProcess !== '') return { kind: 'environment' };
  if (fileVars.has(key) && fileVars.get(key) !== '') return { kind: 'env-file', file: envFile ?? '' };
  if (goRoot !== undefined && goRootEnv.has(key) && goRootEnv.get(key) !== '') return { kind: 'goroot', file: join(goRoot, 'go.env') };
  return { kind: 'default' };
}
