/**
 * The trust policy for opening a bundle: a signed manifest must verify with
 * one of the trusted keys; an unsigned one (or one read without keys) is
 * accepted only when the caller opted out explicitly.
 */
import { BundleError } from './bundleErrors.js';
import { SIGNATURE_NAME } from './treeLayout.js';
import { verifyManifestSignature } from './signature.js';

/** Checks a manifest signature (a signed note) and returns the signer's name; throws when no trusted key verifies it. */
export type SignatureVerifier = (manifestBytes: Uint8Array, noteBytes: Uint8Array, verifierKeys: readonly string[]) => string;

export interface TrustPolicy {
  /** Verifier keys (`name+hash+key`) whose signatures are trusted. */
  trust: readonly string[];
  /** Accept a bundle without manifest.sig (the caller logs that it did). */
  allowUnsigned?: boolean;
  verifySignature?: SignatureVerifier;
}

/** The signer's name, undefined for an allowed unsigned bundle; throws BundleError otherwise. */
export function checkTrust(
  source: string,
  manifestBytes: Uint8Array,
  sigBytes: Uint8Array | undefined,
  policy: TrustPolicy,
): string | undefined {
  if (sigBytes === undefined) {
    if (policy.allowUnsigned) return undefined;
    throw new BundleError(source, [`${SIGNATURE_NAME}: missing (the bundle is unsigned)`], {
      hint: 'sign it with gobundle pack --sign-key <name>.key, or pass --allow-unsigned to accept unsigned bundles',
    });
  }
  if (policy.trust.length === 0) {
    if (policy.allowUnsigned) return undefined;
    throw new BundleError(source, [`${SIGNATURE_NAME}: no trusted keys given to check it against`], {
      hint: 'pass --trust <signer>.pub',
    });
  }
  const verify = policy.verifySignature ?? verifyManifestSignature;
  try {
    return verify(manifestBytes, sigBytes, policy.trust);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new BundleError(source, [`${SIGNATURE_NAME}: signature not verified by any trusted key: ${why}`], { cause: err });
  }
}
