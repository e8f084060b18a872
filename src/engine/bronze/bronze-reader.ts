/** A {@link BronzeReader} over a deployment: manifest from its control store, bytes from its bronze object store. */
import type { BronzeReader, BronzeSegmentRef } from '../../core/component.js';
import type { ControlStore } from '../../seams/control-store/control-store.js';
import type { ObjectStore } from '../../seams/object-store/object-store.js';

/** Creates a reader for the bronze objects in `store` whose manifest is in `control`. */
export function createBronzeReader(control: ControlStore, store: ObjectStore): BronzeReader {
  return {
    async segments(pipeline: string): Promise<readonly BronzeSegmentRef[]> {
      return control.listBronze({ pipeline });
    },
    open(objectKey: string) {
      return store.get(objectKey);
    },
  };
}
