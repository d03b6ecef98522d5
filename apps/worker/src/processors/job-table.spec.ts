import { type Job, UnrecoverableError } from 'bullmq';
import { type JobTable, runJob, type SchedulingQueue, startJobTable } from './job-table';

/** A hand-written queue: the schedulers it holds, and what the boot did to them. */
function fakeQueue(stored: Array<{ key: string; name: string }> = []) {
  const calls: string[] = [];
  const queue = {
    name: 'test',
    getJobSchedulers: () => Promise.resolve(stored),
    upsertJobScheduler: (id: string, repeat: object, template?: { name?: string; opts?: object }) => {
      calls.push(`upsert ${id} ${JSON.stringify(repeat)} ${template?.name} ${JSON.stringify(template?.opts)}`);
      return Promise.resolve(undefined);
    },
    removeJobScheduler: (id: string) => {
      calls.push(`remove ${id}`);
      return Promise.resolve(true);
    },
  } as unknown as SchedulingQueue;
  return { queue, calls };
}

const handled = (name: string) => ({ options: { attempts: 2 }, handle: () => Promise.resolve(`ran ${name}`) });

describe('job tables', () => {
  it('fails start-up when a declared job name has no handler, before touching schedulers', async () => {
    const { queue, calls } = fakeQueue();
    const table = { 'a.run': { ...handled('a.run'), repeat: { every: 1000 } } };
    await expect(startJobTable(queue, ['a.run', 'b.run'], table)).rejects.toThrow(
      'Queue test: no handler for job b.run',
    );
    expect(calls).toEqual([]);
  });

  it('fails start-up when a job scheduler stored in Redis names a job without a handler', async () => {
    const { queue } = fakeQueue([
      { key: 'a.run', name: 'a.run' },
      { key: 'old.sweep', name: 'old.sweep' },
    ]);
    await expect(startJobTable(queue, ['a.run'], { 'a.run': handled('a.run') })).rejects.toThrow(
      'Queue test: no handler for job old.sweep (job scheduler old.sweep)',
    );
  });

  it('creates the schedulers with their options and removes the ones switched off', async () => {
    const { queue, calls } = fakeQueue([{ key: 'a.run', name: 'a.run' }]);
    const table: JobTable<'a.run' | 'b.run' | 'c.run'> = {
      'a.run': { ...handled('a.run'), repeat: { every: 1000 } },
      'b.run': { ...handled('b.run'), repeat: null },
      'c.run': handled('c.run'),
    };
    await startJobTable(queue, ['a.run', 'b.run', 'c.run'], table);
    expect(calls).toEqual(['upsert a.run {"every":1000} a.run {"attempts":2}', 'remove b.run']);
  });

  it('runs a job through its entry; an unknown name fails without retries', async () => {
    const table = { 'a.run': handled('a.run') };
    await expect(runJob('test', table, { name: 'a.run' } as Job)).resolves.toBe('ran a.run');
    const unknown = runJob('test', table, { name: 'b.run' } as Job);
    await expect(unknown).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(unknown).rejects.toThrow('Queue test: no handler for job b.run');
    // Inherited properties are not handlers.
    await expect(runJob('test', table, { name: 'toString' } as Job)).rejects.toBeInstanceOf(UnrecoverableError);
  });
});
