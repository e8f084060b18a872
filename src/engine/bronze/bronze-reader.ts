/** A {@link BronzeReader} over a deployment: manifest from its control store, bytes from its bronze directory. */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { BronzeReader, BronzeSegmentRef } from '../../core/component.js';
import type { ControlStore } from '../../seams/control-store/control-store.js';

/** Creates a reader for the bronze layer rooted at `bronzeRoot` with its manifest in `control`. */
export function createBronzeReader(control: ControlStore, bronzeRoot: string): BronzeReader {
  return {
    async segments(pipeline: string): Promise<readonly BronzeSegmentRef[]> {
      return control.listBronze({ pipeline });
    },
    open(objectKey: string) {
      return createReadStream(join(bronzeRoot, objectKey));
    },
  };
}
