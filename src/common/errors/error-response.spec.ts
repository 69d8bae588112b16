import { QueryFailedError } from 'typeorm';
import { mapError } from './error-response';

/** A driver error as pg raises it (message and SQLSTATE only). */
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'ERROR' });

describe('mapError: Postgres data exceptions (SQLSTATE class 22) are the input\'s fault', () => {
  it.each([
    ['22008', 'date/time field value out of range: "0000-01-01"'],
    ['22P05', 'unsupported Unicode escape sequence'],
    ['22021', 'invalid byte sequence for encoding "UTF8": 0x00'],
    ['22003', 'numeric field overflow'],
    ['22P02', 'invalid input syntax for type uuid: "x"'],
  ])('%s is a 400 with code 1019 and no database detail', (code, message) => {
    const mapped = mapError(pgError(code, message));
    expect(mapped).toEqual({
      status: 400,
      body: { code: '1019', title: 'Invalid Data', message: 'The request holds a value the database cannot store (out of range or malformed).' },
      unexpected: false,
    });
  });

  it('also through a TypeORM QueryFailedError', () => {
    const mapped = mapError(new QueryFailedError('SELECT $1::date', ['0000-01-01'], pgError('22008', 'out of range')));
    expect(mapped.status).toBe(400);
    expect(mapped.body.code).toBe('1019');
  });

  it('other SQLSTATEs stay 500 (a constraint violation is ours to explain)', () => {
    expect(mapError(pgError('23514', 'new row violates check constraint')).status).toBe(500);
    expect(mapError(pgError('42P01', 'relation does not exist')).status).toBe(500);
  });
});
