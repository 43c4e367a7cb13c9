import { describe, expect, it } from 'vitest';
import { AppError } from '../../domain/errors.js';
import { parsePgUrl, redactedUrl } from './pg-url.js';

describe('parsePgUrl', () => {
  it('names host:port/database and the user, with PostgreSQL’s defaults for what is missing', () => {
    expect(parsePgUrl('postgres://ann:pw@db.example:6543/store?sslmode=require')).toMatchObject({
      where: 'db.example:6543/store',
      user: 'ann',
    });
    expect(parsePgUrl('postgresql://ann@10.0.0.1')).toMatchObject({ where: '10.0.0.1:5432/ann', user: 'ann' });
    expect(parsePgUrl('postgres://a%40b:p@h/my%20db')).toMatchObject({ where: 'h:5432/my db', user: 'a@b' });
  });

  it('refuses other schemes, non-URLs and URLs without a host, never echoing the password', () => {
    for (const bad of ['mysql://u:hunter22@h/db', 'u:hunter22@h/db', '', 'postgres://', 'postgres://u:hunter22@/x']) {
      expect(() => parsePgUrl(bad)).toThrow(AppError);
      expect(() => parsePgUrl(bad)).toThrow(/^invalid PostgreSQL URL/);
      expect(() => parsePgUrl(bad)).not.toThrow(/hunter22/);
    }
  });
});

describe('redactedUrl', () => {
  it('hides the password and shows nothing of what is not a URL', () => {
    expect(redactedUrl('postgres://u:secret@h:1/d')).toBe('postgres://u:***@h:1/d');
    expect(redactedUrl('postgres://h/d')).toBe('postgres://h/d');
    expect(redactedUrl('u:secret@h')).toBe('(not a URL)');
  });
});
