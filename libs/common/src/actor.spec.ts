import { type Actor, canActAtStation } from './actor';

const HOME = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';

function anActor(overrides: Partial<Actor> = {}): Actor {
  return {
    id: '33333333-3333-4333-8333-333333333333',
    email: 'someone@test.local',
    role: 'operator',
    stationIds: [HOME],
    ...overrides,
  };
}

describe('canActAtStation', () => {
  it('lets an admin act at any station', () => {
    const admin = anActor({ role: 'admin', stationIds: null });
    expect(canActAtStation(admin, HOME)).toBe(true);
    expect(canActAtStation(admin, OTHER)).toBe(true);
  });

  it('lets an admin act anywhere even when a station list is present', () => {
    expect(canActAtStation(anActor({ role: 'admin', stationIds: [HOME] }), OTHER)).toBe(true);
  });

  it('limits an operator to their home station', () => {
    const operator = anActor({ role: 'operator', stationIds: [HOME] });
    expect(canActAtStation(operator, HOME)).toBe(true);
    expect(canActAtStation(operator, OTHER)).toBe(false);
  });

  it('lets a roaming operator (all stations) act anywhere', () => {
    const roaming = anActor({ role: 'operator', stationIds: null });
    expect(canActAtStation(roaming, HOME)).toBe(true);
    expect(canActAtStation(roaming, OTHER)).toBe(true);
  });

  it('refuses an operator with no station at every station', () => {
    const unassigned = anActor({ role: 'operator', stationIds: [] });
    expect(canActAtStation(unassigned, HOME)).toBe(false);
    expect(canActAtStation(unassigned, OTHER)).toBe(false);
  });

  it('never lets a planner act at a station, whatever the list says', () => {
    expect(canActAtStation(anActor({ role: 'planner', stationIds: null }), HOME)).toBe(false);
    expect(canActAtStation(anActor({ role: 'planner', stationIds: [HOME] }), HOME)).toBe(false);
  });
});
