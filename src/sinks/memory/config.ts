/** Configuration of the `memory` sink (a test fake). */
import { z } from 'zod';

/** Options of the in-memory sink. */
export const MemoryConfig = z.strictObject({
  store: z.string().min(1).default('default').meta({
    description: 'Name of the in-process store the committed rows go to (read it back with `memoryStore(name)`).',
  }),
});

/** Parsed `memory` sink options. */
export type MemoryConfig = z.infer<typeof MemoryConfig>;
