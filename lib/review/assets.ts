/**
 * CDK names every file and container-image asset by the SHA-256 of its content: 64 lower-case hex
 * digits in S3 keys (`<hash>.zip`), image tags (`...:<hash>`), asset parameters and metadata. A
 * change in a Lambda's code therefore changes these strings and nothing else.
 *
 * An image pinned by digest (`repo@sha256:<hash>`) is a release decision, not an asset: hashes
 * right after `sha256:` are kept. So is any image tag from config (`v1.4.2`, a 40-digit git sha).
 */
const ASSET_HASH = /(?<!sha256:)\b[0-9a-f]{64}\b/g;

/** What an asset hash is replaced with, so that two templates differing only in hashes compare equal. */
export const ASSET_HASH_PLACEHOLDER = '<asset-hash>';

/** `value` with every CDK asset hash in its strings (not its keys) replaced by a placeholder. */
export function withoutAssetHashes<T>(value: T): T {
  return mapStrings(value, (text) => text.replace(ASSET_HASH, ASSET_HASH_PLACEHOLDER)) as T;
}

function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, map)]));
  }
  return value;
}
