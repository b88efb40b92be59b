/**
 * Moved to lib/ecs/tag-codec.ts. Kept only because bench/api-calls.ts loads it by this path (bench/ is
 * changed by the lead): remove this file with bench's two import lines.
 */
export * from '../ecs/tag-codec.js';
