import { randomFillSync } from 'crypto';
import { V7Generator } from 'uuidv7';

/**
 * UUIDv7 ids (time ordered: good primary keys and cursors). Random bits come from a
 * pooled CSPRNG buffer refilled 1,024 words at a time instead of one syscall per id.
 */
class PooledRandom {
  private readonly pool = new Uint32Array(1024);
  private next = this.pool.length;

  nextUint32(): number {
    if (this.next === this.pool.length) {
      randomFillSync(this.pool);
      this.next = 0;
    }
    return this.pool[this.next++];
  }
}

const generator = new V7Generator(new PooledRandom());

export function newId(): string {
  return generator.generate().toString();
}
