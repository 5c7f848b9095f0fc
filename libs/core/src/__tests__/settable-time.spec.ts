import { SettableTime } from '../clock';

describe('SettableTime', () => {
  it('when set or moved, then it stands there; before that it follows its source', () => {
    let real = 1_000;
    const t = new SettableTime(() => real);
    expect(t.now()).toBe(1_000);
    real = 2_000;
    expect(t.now()).toBe(2_000);
    t.advance(500);
    real = 9_000;
    expect(t.now()).toBe(2_500);
    t.set(100);
    expect(t.now()).toBe(100);
  });
});
