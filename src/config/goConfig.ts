/**
 * The effective Go configuration for a run: the process environment, the
 * user's `go env -w` file and `$GOROOT/go.env`, resolved and parsed the way
 * the go command does it (see src/gomod/goenv.ts for the rules).
 */
import { join } from 'node:path';
import {
  DEFAULT_GOROOT_ENV,
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
  return {
    env: resolved,
    proxies: parseGoProxy(resolved.GOPROXY, resolved.GONOPROXY),
    sumdb: parseGoSumDB(resolved.GOSUMDB),
    goflags: parseGoFlags(resolved.GOFLAGS),
    envFile,
    goRoot,
    proxySource: settingSource('GOPROXY', env, fileVars, envFile, goRootEnv, goRoot),
  };
}

/**
 * Where the go command took a variable from (cmd/go/internal/cfg
 * EnvOrAndChanged, envOr): a non-empty process variable, else the `go env -w`
 * file, else $GOROOT/go.env, else the built-in default.
 */
function settingSource(
  key: string,
  env: ProcessEnv,
  fileVars: ReadonlyMap<string, string>,
  envFile: string | undefined,
  goRootEnv: ReadonlyMap<string, string>,
  goRoot: string | undefined,
): string {
  const fromProcess = env[key];
  if (fromProcess !== undefined && fromProcess !== '') return `${key} (from the environment)`;
  if (fileVars.has(key) && fileVars.get(key) !== '') return `${key} (from the go env file ${envFile ?? ''})`;
  if (goRoot !== undefined && goRootEnv.has(key) && goRootEnv.get(key) !== '') return `${key} (from ${join(goRoot, 'go.env')})`;
  return `${key} (its default)`;
}
