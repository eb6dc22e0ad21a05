import { LogConsumer, LogConsumers } from '../../src/projections/log-consumers';
import { ProjectionKey, createProjections } from '../../src/projections/projection-registry';

describe('the projection registry', () => {
  it.each<[string, ProjectionKey[] | undefined, string[], string[]]>([
    ['all of them by default, the knowledge read model first', undefined, ['knowledge', 'audit-merkle'], ['upcast', 'stored']],
    ['only the audit tree, for verify, export and import', ['audit'], ['audit-merkle'], ['stored']],
    ['only the knowledge read model, for replay', ['knowledge'], ['knowledge'], ['upcast']],
    ['registry order whatever order they are asked in', ['audit', 'knowledge'], ['knowledge', 'audit-merkle'], ['upcast', 'stored']],
  ])('makes %s', (_, keys, names, takes) => {
    const projections = createProjections(keys);
    expect(projections.map((projection) => projection.name)).toEqual(names);
    expect(projections.map((projection) => projection.takes)).toEqual(takes);
  });

  it('makes fresh instances each time, so runners share no state', () => {
    expect(createProjections(['audit'])[0]).not.toBe(createProjections(['audit'])[0]);
  });
});

describe('the log consumers', () => {
  const consumer = (name: string): LogConsumer => ({ name, checkpoint: 0n, state: 'running' });

  it('lists consumers in the order they joined, until each leaves', () => {
    const [knowledge, audit, relay] = [consumer('knowledge'), consumer('audit-merkle'), consumer('nats:timeline')];
    const consumers = new LogConsumers([knowledge, audit]);
    const unlist = consumers.register(relay);
    expect([...consumers]).toEqual([knowledge, audit, relay]);
    unlist();
    expect([...consumers]).toEqual([knowledge, audit]);
  });
});
