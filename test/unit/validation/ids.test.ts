import { describe, expect, it } from 'vitest';
import { isUuid, parseJobId } from '../../../src/validation/ids.js';
import { refusal } from './helpers.js';

describe('bulk job ids (UUIDs)', () => {
  it('takes a UUID, either case, answered in lowercase', () => {
    expect(parseJobId('id', '0f5c1a9e-3b7d-4c2a-9e8f-1a2b3c4d5e6f')).toBe('0f5c1a9e-3b7d-4c2a-9e8f-1a2b3c4d5e6f');
    expect(parseJobId('id', '0F5C1A9E-3B7D-4C2A-9E8F-1A2B3C4D5E6F')).toBe('0f5c1a9e-3b7d-4c2a-9e8f-1a2b3c4d5e6f');
  });

  it.each(['', 'x', '12345', '0f5c1a9e3b7d4c2a9e8f1a2b3c4d5e6f', '{0f5c1a9e-3b7d-4c2a-9e8f-1a2b3c4d5e6f}', ' 0f5c1a9e-3b7d-4c2a-9e8f-1a2b3c4d5e6f', '0f5c1a9e-3b7d-4c2a-9e8f-1a2b3c4d5e6g', '0f5c1a9e-3b7d-4c2a-9e8f-1a2b3c4d5e6f\n', 'j'.repeat(10_000)])(
    'refuses %j with BAD_USER_INPUT on the field, quoting at most 32 characters',
    (raw) => {
      expect(isUuid(raw)).toBe(false);
      const err = refusal(() => parseJobId('id', raw));
      expect(err.code).toBe('BAD_USER_INPUT');
      expect(err.details.field).toBe('id');
      expect(err.message.length).toBeLessThan(140);
      if (raw.length > 32) expect(err.message).not.toContain(raw.slice(0, 33));
    },
  );
});
