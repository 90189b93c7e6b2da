/** A module version: the pair the go command calls module.Version (x/mod module/module.go). */
export interface ModuleVersion {
  path: string;
  version: string;
}

/**
 * The map key of a module version, "path@version" as the go command prints
 * it. Unambiguous: a module path cannot contain "@" (module.CheckPath), and
 * the key is only split at its last "@".
 */
export function moduleKey(m: ModuleVersion): string {
  return `${m.path}@${m.version}`;
}
