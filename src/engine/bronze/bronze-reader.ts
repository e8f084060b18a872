/** A {@link BronzeReader} over a deployment: manifest from its control store, bytes from its bronze object store. */
import type { Readable } from 'node:stream';
import type { BronzeReader, BronzeSegmentRef } from '../../core/component.js';
import type { ControlStore } from '../../seams/control-store/control-store.js';
import type { ObjectStore } from '../../seams/object-store/object-store.js';
import type { DataKeys } from '../../security/vault/data-keys.js';
import { createBronzeDecryptor } from './bronze-cipher.js';

/**
 * Creates a reader for the bronze objects in `store` whose manifest is in `control`. Age-encrypted
 * objects are decrypted with every version of their key from `keys` (the vault of the deployment
 * that wrote them); without `keys`, opening one rejects with `TRB_SECRET_KEYS_UNAVAILABLE`.
 */
export function createBronzeReader(control: ControlStore, store: ObjectStore, keys?: DataKeys): BronzeReader {
  const decryptor = createBronzeDecryptor(keys);
  return {
    async segments(pipeline: string): Promise<readonly BronzeSegmentRef[]> {
      return control.listBronze({ pipeline });
    },
    async open(segment) {
      const raw = await store.get(segment.objectKey);
      return segment.encryption ? decryptor.decrypt(raw as Readable, segment.objectKey, segment.encryption) : raw;
    },
  };
}
