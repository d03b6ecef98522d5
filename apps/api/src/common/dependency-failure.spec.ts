import { dependencyFailure } from './dependency-failure';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('dependencyFailure', () => {
  it.each([
    ['connect ECONNREFUSED', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'), 'database'],
    ['connection terminated', new Error('Connection terminated unexpectedly'), 'database'],
    ['pool connect timeout', new Error('timeout exceeded when trying to connect'), 'database'],
    ['class 08', withCode('08006'), 'database'],
    ['admin shutdown', withCode('57P01', 'terminating connection due to administrator command'), 'database'],
    ['starting up', withCode('57P03', 'the database system is starting up'), 'database'],
    ['too many connections', withCode('53300'), 'database'],
    ['statement_timeout', withCode('57014', 'canceling statement due to statement timeout'), 'database_busy'],
    ['lock_timeout', withCode('55P03', 'canceling statement due to lock timeout'), 'database_busy'],
    ['TypeORM wrapper', Object.assign(new Error('query failed'), { driverError: withCode('57P01') }), 'database'],
    ['cause chain', new Error('outer', { cause: withCode('ECONNRESET') }), 'database'],
    ['ioredis offline', new Error('Connection is closed.'), 'redis'],
    [
      'ioredis retries',
      Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' }),
      'redis',
    ],
  ])('%s is a dependency failure', (_what, error, kind) => {
    expect(dependencyFailure(error)).toBe(kind);
  });

  it.each([
    ['a unique violation', withCode('23505', 'duplicate key value violates unique constraint')],
    ['a check violation', withCode('23514')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a string', 'boom'],
    ['nothing', undefined],
  ])('%s is not', (_what, error) => {
    expect(dependencyFailure(error)).toBeNull();
  });
});
