/**
 * A CycloneDX 1.6 JSON document (cyclonedx.org/docs/1.6/json/) for a bundle,
 * built and then validated against the CycloneDX JSON schema with the
 * CycloneDX library for JavaScript: one component per build-list module
 * version (purl `pkg:golang/<path>@<version>`, escaped by packageurl-js; the
 * SHA-256 of the bundled zip; the go command's h1: hashes as properties;
 * the SPDX licence licenseExpression.ts found, if any, or the expression
 * when a file holds several), the dependency edges of
 * moduleGraph.ts, and in metadata the main modules, the bundle's signer,
 * inputs and creation time. The document is deterministic: its time is the
 * manifest's `created`, its serial number derived from the manifest's sha256.
 */
import { createHash } from 'node:crypto';
import * as CDX from '@cyclonedx/cyclonedx-library';
import { PackageURL } from 'packageurl-js';
import type { Manifest } from '../bundle/manifest.js';
import { GobundleError } from '../errors.js';
import type { ModuleEdge } from './moduleGraph.js';
import { ErrorCode } from '../errorCodes.js';

export interface SbomModule {
  path: string;
  version: string;
  zipSha256: string;
  zipH1: string;
  modH1: string;
  /** The root licence files and the SPDX id or expression ("MIT AND Apache-2.0") each matched (undefined: no match). */
  licenseFiles: { name: string; spdx: string | undefined }[];
}

export interface SbomInput {
  manifest: Manifest;
  manifestSha256: string;
  signer: string | undefined;
  modules: readonly SbomModule[];
  edges: readonly ModuleEdge[];
  toolVersion: string;
}

/** The purl of a Go module version (purl-spec PURL-TYPES golang: namespace = path up to its last "/"). */
export function goPurl(path: string, version?: string): string {
  const slash = path.lastIndexOf('/');
  const namespace = slash < 0 ? undefined : path.slice(0, slash);
  const name = slash < 0 ? path : path.slice(slash + 1);
  return new PackageURL('golang', namespace, name, version).toString();
}

/** urn:uuid from the manifest's sha256 (RFC 4122 version 4 layout, so the schema accepts it). */
function serialNumber(sha256: string): string {
  const h = createHash('sha256').update(`gobundle sbom ${sha256}`).digest('hex');
  const variant = ((parseInt(h[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function buildSbomModel(input: SbomInput): CDX.Models.Bom {
  const bom = new CDX.Models.Bom();
  bom.serialNumber = serialNumber(input.manifestSha256);
  const m = input.manifest;
  bom.metadata.timestamp = new Date(m.created);
  bom.metadata.tools.components.add(
    new CDX.Models.Component(CDX.Enums.ComponentType.Application, 'gobundle', { version: input.toolVersion }),
  );
  const props = bom.metadata.properties;
  props.add(new CDX.Models.Property('gobundle:signer', input.signer ?? '(unsigned)'));
  props.add(new CDX.Models.Property('gobundle:manifestSha256', input.manifestSha256));
  props.add(new CDX.Models.Property('gobundle:tool', m.tool));
  for (const i of m.inputs) props.add(new CDX.Models.Property('gobundle:input', `${i.module} ${i.goMod} sha256:${i.goModSha256}`));
  if (m.sumdb !== null)
    props.add(new CDX.Models.Property('gobundle:sumdb', `${m.sumdb.name} tree#${m.sumdb.treeSize} ${m.sumdb.treeHash}`));
  for (const g of m.modules.filter((x) => x.zipH1 === null))
    props.add(new CDX.Models.Property('gobundle:goModOnly', `${g.path}@${g.version}`));

  const byRef = new Map<string, CDX.Models.Component>();
  for (const mod of input.modules) {
    const purl = goPurl(mod.path, mod.version);
    const c = new CDX.Models.Component(CDX.Enums.ComponentType.Library, mod.path, { version: mod.version, bomRef: purl, purl });
    c.hashes.set(CDX.Enums.HashAlgorithm['SHA-256'], mod.zipSha256);
    c.properties.add(new CDX.Models.Property('gobundle:h1', mod.zipH1));
    c.properties.add(new CDX.Models.Property('gobundle:goModH1', mod.modH1));
    for (const f of mod.licenseFiles) {
      c.properties.add(new CDX.Models.Property('gobundle:licenseFile', `${f.name}: ${f.spdx ?? 'no match'}`));
    }
    const named = [...new Set(mod.licenseFiles.flatMap((f) => (f.spdx === undefined ? [] : [f.spdx])))];
    // CycloneDX takes either licences by id or one expression, never both.
    if (named.some((n) => n.includes(' '))) c.licenses.add(new CDX.Models.LicenseExpression(named.join(' AND ')));
    else for (const id of named) c.licenses.add(new CDX.Models.SpdxLicense(id));
    byRef.set(purl, c);
    bom.components.add(c);
  }
  for (const e of input.edges) {
    const from = byRef.get(goPurl(e.from.path, e.from.version));
    if (from === undefined) continue;
    for (const t of e.to) {
      const to = byRef.get(goPurl(t.path, t.version));
      if (to !== undefined) from.dependencies.add(to.bomRef);
    }
  }
  // The main modules' own go.mod files are not in the bundle (only their sha256), so each
  // main module is recorded as depending on the whole build list, as `go list -m all` shows it.
  const [first, ...others] = m.inputs;
  if (first !== undefined) {
    const main = new CDX.Models.Component(CDX.Enums.ComponentType.Application, first.module, { bomRef: goPurl(first.module) });
    for (const o of others)
      main.components.add(new CDX.Models.Component(CDX.Enums.ComponentType.Application, o.module, { bomRef: goPurl(o.module) }));
    for (const c of byRef.values()) main.dependencies.add(c.bomRef);
    bom.metadata.component = main;
  }
  return bom;
}

export const SBOM_SPEC = CDX.Spec.Version.v1dot6;

/** The SBOM built does not validate against the CycloneDX schema (a bug of ours, reported with the schema's words). */
export class SbomError extends GobundleError {
  constructor(message: string) {
    super(ErrorCode.SBOM, message);
  }
}

/** The document as JSON text, validated against the CycloneDX 1.6 JSON schema (strict). */
export async function buildSbomJson(input: SbomInput): Promise<string> {
  const serializer = new CDX.Serialize.JsonSerializer(new CDX.Serialize.JSON.Normalize.Factory(CDX.Spec.Spec1dot6));
  const json = `${serializer.serialize(buildSbomModel(input), { sortLists: true, space: 2 })}\n`;
  const problems = await validateSbomJson(json);
  if (problems !== null)
    throw new SbomError(`sbom: the document does not validate against the CycloneDX ${SBOM_SPEC} schema: ${JSON.stringify(problems)}`);
  return json;
}

/** null when `json` is valid CycloneDX 1.6, else the validator's errors. */
export async function validateSbomJson(json: string): Promise<unknown> {
  return new CDX.Validation.JsonStrictValidator(SBOM_SPEC).validate(json);
}
