/**
 * Every kind of failure gobundle reports, in one place: the base class
 * GobundleError and each subclass, re-exported from the file of the
 * capability that defines it. A caller (or a test) tells failures apart
 * with `instanceof`, or by `code` (src/errorCodes.ts), never by message
 * text.
 *
 * An index for tests and for code that uses gobundle as a library: no
 * file of src/ imports it, so a command still loads only what it runs.
 * test/errorKinds.test.ts fails when a subclass defined in src/ is
 * missing here.
 */
export { ChecksumMismatchError, FileSyntaxError, GobundleError, ModuleError, NetworkError, NotFoundError, UsageError } from './errors.js';
export {
  BundleError,
  BundleWriteError,
  KeygenError,
  ManifestError,
  PartListError,
  SignatureError,
  VerifyError,
} from './bundle/bundleErrors.js';
export { MissingParentError } from './bundle/bundleParents.js';
export { BundleConflictError } from './bundleset/moduleIndex.js';
export { SumdbMergeError } from './bundleset/sumdbMerge.js';
export { CacheDirError } from './cache/cacheDir.js';
export { CacheCorruptError } from './cache/downloadCache.js';
export { NoGoModError } from './doctor/runDoctor.js';
export { PackWouldFailError } from './doctor/verdicts.js';
export { ExportError } from './export/writeExportTree.js';
export { FileSystemError } from './files/fileSystemError.js';
export { GoEnvError } from './gomod/goenv.js';
export { InvalidPathError } from './gomod/invalidPath.js';
export { InvalidEscapeError, InvalidVersionError, ModuleVersionError } from './gomod/modulePath.js';
export { InputFileError, LocalReplaceError, ToolModuleError } from './inputs/inputErrors.js';
export { MissStoreError } from './misses/missStore.js';
export { WantsFetchError } from './misses/wantsList.js';
export { BadZipError, ZipHashError } from './modzip/zipErrors.js';
export { ProxyAuthError, ProxyRefusedError, ProxyUnreachableError, TlsError } from './network/networkErrors.js';
export { ModuleStoreError } from './pack/moduleFiles.js';
export { WriteGoSumError } from './pack/writeGoSum.js';
export { DirectUnsupportedError, ProxyResponseError, RequestedVersionError, TooLargeError } from './proxy/proxyErrors.js';
export { GoCommandMissingError, RehearsalError } from './rehearse/rehearsal.js';
export { GoModDirtyError } from './resolve/graph.js';
export { MainModuleError } from './resolve/mainModuleError.js';
export { BuildListError } from './resolve/mvs.js';
export { SbomError } from './sbom/buildSbom.js';
export { AuthFileError } from './serve/insideSetup.js';
export { ServeListenError, ServeTlsError, ServeWorkerError } from './serve/serveErrors.js';
export { SumdbError, SumdbModuleError, SumdbSecurityError, SumdbUnknownModuleError } from './sumdb/client.js';
export { InvalidSignatureError, NoteError, UnknownVerifierError, UnverifiedNoteError } from './sumdb/note.js';
export { ReplayError, TreeMismatchError } from './sumdb/replay.js';
export { TlogError, TlogProofError, TlogTileError } from './sumdb/tlog/hash.js';
export { GitError } from './vcs/gitRun.js';
export { VcsError, VcsModuleError } from './vcs/vcsErrors.js';
export { VulnerableError } from './vuln/audit.js';
export { VulnDbError } from './vuln/osv.js';
