/** Short, stable content hash for naming compiled formats. */

/** 6 lowercase hex chars of the 32-bit FNV-1a hash of `s` (not cryptographic). */
export function shortHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193); }
  return (h >>> 0).toString(16).padStart(8, '0').slice(0, 6);
}
