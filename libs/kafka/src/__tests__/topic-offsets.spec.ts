import type { Admin } from 'kafkajs';
import { topicOffsets } from '../topics';

const notLeader = Object.assign(new Error('This server is not the leader for that topic-partition'), {
  retriable: true,
});
const ends = [{ partition: 0, offset: '5', high: '5', low: '0' }];

function adminAnswering(...answers: Array<Error | typeof ends>): { admin: Admin; calls: () => number } {
  let n = 0;
  const admin = {
    fetchTopicOffsets: async () => {
      const a = answers[Math.min(n++, answers.length - 1)];
      if (a instanceof Error) throw a;
      return a;
    },
  } as unknown as Admin;
  return { admin, calls: () => n };
}

describe('topicOffsets', () => {
  it('when a new topic has no leader yet, then it asks again until the leader answers', async () => {
    const { admin, calls } = adminAnswering(notLeader, notLeader, ends);
    await expect(topicOffsets(admin, 't')).resolves.toEqual(ends);
    expect(calls()).toBe(3);
  });

  it('when the error is not retriable, then it fails at once', async () => {
    const { admin, calls } = adminAnswering(new Error('topic authorization failed'), ends);
    await expect(topicOffsets(admin, 't')).rejects.toThrow('authorization');
    expect(calls()).toBe(1);
  });
});
